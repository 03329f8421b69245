/**
 * @internal Side-effect module, imported by the Node entry only: ids draw
 * their random bytes from the kernel (see urandom-fill.ts) rather than Web
 * Crypto, whose first use is most of a handler's first traced call. Listed
 * in package.json `sideEffects` so bundlers keep it; the edge entry keeps
 * Web Crypto and no `node:fs`.
 */
import { provideRandomFill } from './random-fill.js';
import { urandomFill } from './urandom-fill.js';

provideRandomFill(urandomFill());
