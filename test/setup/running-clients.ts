/**
 * Where a test file's sandbox keeps the check of its tracewire clients still
 * running (see `track-clients.ts`), for the test environment to call once the
 * file is done (see `environment.ts`). A registered symbol: the two run in
 * different realms, the sandbox and the runner.
 */
export const RUNNING_CLIENTS = Symbol.for('tracewire.test.runningClients');

/** Describes the clients still running, or undefined when there is none. */
export type RunningClientsCheck = () => string | undefined;
