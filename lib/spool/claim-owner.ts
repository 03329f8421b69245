import { nodeCrypto, nodeFs, nodeOs } from '../peers/node-builtin.js';

/**
 * @internal Whose a spool claim is, beyond its process id: a replaying process renames a file to
 * `<name>.claimed-<pid>-<millis>-<host>`, `<host>` 8 hex digits of a digest of this machine's boot
 * (`/proc/sys/kernel/random/boot_id`, random at each boot), its process-id namespace (`/proc/self/ns/pid`; each
 * container has its own) and its host name. Within one such boot and namespace a process id means one process, so a
 * claim made there whose process is gone (SIGKILL, a crash, an OOM kill mid-replay) is taken over at once, not after
 * `staleClaimMillis` (10 minutes): a cluster whose workers were killed while replaying left their files claimed, and
 * its new workers, healthy, never replayed again (a report-only probe). A claim of another machine or namespace (a
 * container sharing the directory, a host on a network mount), or of a live process (its id reused, too), is still
 * judged by its age alone. The boot counts: every host's first namespace has the same number, so host name and
 * namespace alone named two machines called alike the same, and each took the other's live claims (a review). Where
 * either is unknown (not Linux), claims name no host: the age rule alone, as before.
 */

let host: string | null | undefined;

/** @internal This boot and process-id namespace, as claims name them; `undefined` where they cannot be known. */
export function claimHost(): string | undefined {
  if (host === undefined) {
    try {
      const fs = nodeFs();
      const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      const namespace = fs.readlinkSync('/proc/self/ns/pid');
      host = boot === '' ? null : nodeCrypto().createHash('sha256').update(`${boot}\n${namespace}\n${nodeOs().hostname()}`).digest('hex').slice(0, 8);
    } catch {
      host = null; // not Linux (or no /proc): claims go by their age alone
    }
  }
  return host ?? undefined;
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
