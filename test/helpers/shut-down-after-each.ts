import type { TracingClient } from '../../index';

/**
 * Registers an `afterEach` that shuts down the clients handed to the function
 * it returns, with a short deadline: a client left with spans on their way
 * (an export that never answers, a retry backing off) would go on exporting
 * after its file, and fail it (see test/setup/track-clients.ts). Call it at
 * the top of a file, before the `afterEach` that stops the servers those
 * clients export to, so they are shut down first.
 */
export function shutDownAfterEach(timeoutMillis = 100): <T extends TracingClient>(client: T) => T {
  const made: TracingClient[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((client) => client.shutdown({ timeoutMillis })));
  });
  return (client) => {
    made.push(client);
    return client;
  };
}
