/**
 * @internal Side-effect module, imported by the Node entry only: hands the
 * file spool to the pipeline, so `node:fs` stays out of the edge entry's
 * module graph. Listed in package.json `sideEffects` so bundlers keep it.
 */
import { provideSpool } from '../pipeline/spool-provider.js';
import { openSpool } from './open-spool.js';

provideSpool(openSpool);
