import { createRequire } from 'node:module';

/**
 * The built file `require('tracewire')` loads (after `npm run build`), as Node
 * resolves it: the package's own name from inside it (self-reference through
 * its `exports` map). What the tests that run tracewire in a child process
 * load, as an installed app would.
 */
export const BUILT_ENTRY: string = createRequire(__filename).resolve('tracewire');
