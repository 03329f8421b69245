import { resolveLangSmithSettings, SECRET, type LangSmithOptions, type LangSmithSettings } from '../../config-langsmith.js';
import { RUNS_ENDPOINTS, runsEndpoints } from '../../config-runs-endpoints.js';
import type { Env } from '../../config-env.js';
import { refuse } from '../../errors.js';
import type { ExportBatch } from '../span-exporter.js';
import { idPolicy, replicaRuns, type IdPolicy } from './replica-ids.js';

/** @internal One place a LangSmith exporter sends every run to, and how the runs are written there. */
export interface LangSmithDestination {
  readonly settings: LangSmithSettings;
  /** How its runs' ids are written (see {@link IdPolicy}). */
  readonly policy: IdPolicy;
  /** Its own project (a replica's `project_name`); undefined: each run's own. */
  readonly project: string | undefined;
}

/**
 * @internal Where a LangSmith exporter made with `options` sends: the
 * endpoint given in code; else every write replica `LANGSMITH_RUNS_ENDPOINTS`
 * names (each with its own key, workspace and project, as langsmith's
 * traceable sends each run to each); else `LANGSMITH_ENDPOINT` or LangSmith's
 * cloud. An `apiKey` or `workspaceId` given in code stands in for the one
 * replica's, as before; beside several it is refused — which of them would it
 * be? One key sent to them all would hand it to each of their servers.
 */
export function langsmithDestinations(options: LangSmithOptions, env: Env): LangSmithDestination[] {
  const replicas = options.endpoint === undefined ? runsEndpoints(env) : [];
  if (replicas.length > 1) {
    const accepted = `nothing beside the ${replicas.length} endpoints of ${RUNS_ENDPOINTS}: each has its own (give endpoint too, to send to one place)`;
    if (options.apiKey !== undefined) refuse('apiKey', SECRET, accepted);
    if (options.workspaceId !== undefined) refuse('workspaceId', options.workspaceId, accepted);
  }
  if (replicas.length === 0) return [{ settings: resolveLangSmithSettings(options, env, undefined), policy: 'keep', project: undefined }];
  const anyPrimary = replicas.some((replica) => replica.primary === true);
  return replicas.map((replica) => ({ settings: resolveLangSmithSettings(options, env, replica), policy: idPolicy(replica.primary, anyPrimary), project: replica.projectName }));
}

/** @internal How a destination's runs differ from the pipeline's: undefined when it takes them as they are. */
export function rewriteFor(destination: LangSmithDestination): ((batch: ExportBatch) => ExportBatch) | undefined {
  const { policy, project } = destination;
  if (project === undefined && policy !== 'rekey') return undefined;
  return (batch) => replicaRuns(batch, policy, project);
}

/** @internal Destinations that write the runs alike (the same body, sealed once), by this key. */
export function rewriteKey(destination: LangSmithDestination): string {
  return rewriteFor(destination) === undefined ? '' : `${destination.policy} ${destination.project ?? ''}`;
}

/**
 * @internal What spool files owed to one destination name it by: its
 * endpoint, and its workspace and project when it has them (never its key);
 * `nth` tells apart destinations these leave alike (two keys, one server).
 */
export function destinationLabel(destination: LangSmithDestination, endpoint: string, nth: number): string {
  const { settings, project } = destination;
  return [endpoint, settings.workspaceId && `workspace ${settings.workspaceId}`, project && `project ${project}`, nth > 1 && `#${nth}`].filter(Boolean).join(' ');
}
