import { nodeCrypto, nodeFs, nodeOs } from '../peers/node-builtin.js';

/**
 * @internal Whose a spool claim is, beyond its process id: a replaying process renames a file to
 * `<name>.claimed-<pid>-<millis>-<host>`, `<host>` 8 hex digits of a digest of this host's name and its process-id
 * namespace (Linux: `/proc/self/ns/pid`; each container has its own). Within one such namespace a process id means
 * one process, so a claim of this host whose process is gone (SIGKILL, a crash, an OOM kill mid-replay) is taken over
 * at once, not after `staleClaimMillis` (10 minutes): a cluster whose workers were killed while replaying left their
 * files claimed, and its new workers, healthy, never replayed again (a report-only probe). A claim of another host or
 * namespace (a container sharing the directory, another machine on a network mount), or of a live process (its id
 * reused, too), is still judged by its age alone: there a process id says nothing.
 */

let host: string | undefined;

/** @internal This host and process-id namespace, as claims name them. */
export function claimHost(): string {
  if (host === undefined) {
    let namespace = '';
    try {
      namespace = nodeFs().readlinkSync('/proc/self/ns/pid');
    } catch {
      // Not Linux (or no /proc): the host's name alone, one namespace per host.
    }
    host = nodeCrypto().createHash('sha256').update(`${nodeOs().hostname()}\n${namespace}`).digest('hex').slice(0, 8);
  }
  return host;
}

/** @internal Whether the process that made a claim (`pid`, `claimHost` `owner`) is gone: of this host's namespace, and no process has its id. Never throws. */
export function claimOwnerGone(pid: number, owner: string | undefined): boolean {
  try {
    if (owner === undefined || owner !== claimHost() || pid === process.pid || pid <= 0) return false;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: a process of another user has the id (alive). Only ESRCH says none has.
    return (error as { code?: unknown } | null)?.code === 'ESRCH';
  }
}
