/**
 * @internal Side-effect module, imported by the Node entry only: Proxies are
 * told by `util.types.isProxy` (see proxy-check.ts). Listed in package.json
 * `sideEffects` so bundlers keep it; the edge entry imports no `node:util`.
 */
import { types } from '../peers/node-util.js';
import { proxyCheck } from './proxy-check.js';

proxyCheck.isProxy = types.isProxy;
