/**
 * @internal Imported for its effect by the Node entry (and listed in
 * package.json `sideEffects`, so bundlers keep it): a program that sets
 * nothing up gets a client built from the environment on its first traced
 * call. A separate module so that an entry without every exporter (the edge
 * entry) can leave it, and the exporters it builds, out.
 */
import { globalClient } from './global-client.js';
import { clientFromEnv } from './setup-options.js';
import { runtimeEnv } from '../runtime-env.js';
import { NODE_EXPORTERS } from '../exporters/by-name.js';

globalClient.installEnvironmentFactory(() => clientFromEnv(runtimeEnv(), NODE_EXPORTERS));
