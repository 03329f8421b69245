import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository's root. */
export const REPO_ROOT = path.resolve(__dirname, '../..');

/** The package's entries (`index.ts`, `edge.ts`, `edge-env.ts`) and every `.ts` file (not `.d.ts`) under `dirs`, as absolute paths. */
export function sourceFiles(dirs: readonly string[]): string[] {
  const files = ['index.ts', 'edge.ts', 'edge-env.ts'].map((f) => path.join(REPO_ROOT, f));
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(full);
    }
  };
  for (const dir of dirs) walk(path.join(REPO_ROOT, dir));
  return files;
}
