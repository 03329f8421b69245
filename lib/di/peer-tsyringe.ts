import type * as Tsyringe from 'tsyringe';
import { TracewireUsageError } from '../errors.js';
import { requirePeer } from '../peers/peer-require.js';

let loaded: typeof Tsyringe | undefined;

/**
 * @internal tsyringe and reflect-metadata are peer dependencies: the app's
 * own copy is the one used (a second copy would hold a second root
 * container, and the app's `container.resolve(TRACING_CLIENT)` would fail),
 * looked up from the app's entry, then the working directory, then
 * tracewire's own location (`requirePeer`). They are loaded on first use of
 * DI, so an app that never calls `configureTracing()` / `registerTracing()`
 * needs neither, and one that does without them gets this error instead of
 * a bare "Cannot find module".
 */
export function tsyringe(): typeof Tsyringe {
  if (loaded !== undefined) return loaded;
  for (const peer of ['reflect-metadata', 'tsyringe']) {
    try {
      // tsyringe needs the Reflect metadata polyfill before it loads.
      const module = requirePeer(peer) as typeof Tsyringe;
      if (peer === 'tsyringe') loaded = module;
    } catch (error) {
      throw new TracewireUsageError(
        `tracewire's dependency injection (configureTracing, registerTracing) needs the peer dependency "${peer}", which could not be loaded (${(error as Error).message.split('\n')[0]}). Install it: npm install tsyringe@^4 reflect-metadata@^0.2`,
      );
    }
  }
  return loaded!;
}
