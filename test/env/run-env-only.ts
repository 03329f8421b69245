import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_ENTRY } from '../helpers/built-entry';

/** The built package (`npm run build`), as an app requires it. */
export const DIST = BUILT_ENTRY;

export interface ChildOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `body` as a fresh node program that requires tracewire and makes no
 * set-up call, with ONLY `env` (plus PATH) in its environment: no variable
 * of the test runner leaks in. `tracewire` is in scope.
 */
export function runEnvOnly(body: string, env: Record<string, string>): Promise<ChildOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-env-'));
  const file = join(dir, 'app.js');
  writeFileSync(file, `const tracewire = require(${JSON.stringify(DIST)});\n${body}\n`);
  return new Promise((done) => {
    execFile(process.execPath, [file], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
