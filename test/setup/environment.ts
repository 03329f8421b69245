import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { RUNNING_CLIENTS, type RunningClientsCheck } from './running-clients';

/**
 * Jest's node environment, which fails a test file that leaves tracewire
 * clients running (see `track-clients.ts`). The check runs once the file is
 * done, its own `afterAll` hooks included — a setup file's `afterAll` would
 * run before them — as an error of the file, not of any one test.
 */
export default class TracewireTestEnvironment extends TestEnvironment {
  async handleTestEvent(event: Circus.Event, state: Circus.State): Promise<void> {
    if (event.name !== 'run_finish') return;
    const check = (this.global as Record<symbol, unknown>)[RUNNING_CLIENTS] as RunningClientsCheck | undefined;
    const running = check?.();
    // Its stack would point here, which says nothing: the message names the tests.
    if (running !== undefined) state.unhandledErrors.push(Object.assign(new Error(running), { stack: running }));
  }
}
