/**
 * @internal `node:path`'s `join`, imported in one place for the spool's
 * modules: a bundle then loads the module once, under one name.
 */
export { dirname, join, resolve } from 'node:path';
