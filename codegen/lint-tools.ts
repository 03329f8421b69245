import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The packages that bring typescript-eslint's rules: the plugin itself, or the `typescript-eslint` package that loads it. */
const TYPESCRIPT_ESLINT = ['@typescript-eslint/eslint-plugin', 'typescript-eslint'];

/**
 * Whether typescript-eslint is installed where a project in `dir` resolves
 * its packages: a `node_modules` of `dir` or of a folder above it (a
 * monorepo's root), as Node looks. A lint directive may name one of its rules
 * only then: ESLint reports a directive naming a rule it does not know
 * ("Definition for rule … was not found") as an error.
 */
export function typescriptEslintInstalled(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (TYPESCRIPT_ESLINT.some((name) => existsSync(join(at, 'node_modules', name, 'package.json')))) return true;
    if (dirname(at) === at) return false;
  }
}
