import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/**
 * The built file `require('tracewire')` loads (package.json `main`, the
 * one-file CommonJS entry after `npm run build`): what the tests that run
 * tracewire in a child process load, as an installed app would.
 */
export const BUILT_ENTRY: string = resolve(root, (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { main: string }).main);
