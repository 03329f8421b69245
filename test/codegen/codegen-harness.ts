import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { main } from '../../codegen/cli';
import type { Io } from '../../codegen/io';

export const CASES = resolve(__dirname, '../fixtures/codegen/cases');

/** A throw-away project: a tsconfig in the chosen decorator mode and the given files. */
export function tempProject(files: Record<string, string>, legacy: boolean, extraOptions: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-codegen-'));
  const compilerOptions = { target: 'ES2022', module: 'commonjs', strict: true, experimentalDecorators: legacy, skipLibCheck: true, ...extraOptions };
  const include = extraOptions['allowJs'] === true ? ['src/**/*.ts', 'src/**/*.js'] : ['src/**/*.ts'];
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include }, null, 2));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function read(dir: string, path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}

/** Runs the CLI in-process in `cwd`, capturing what it prints; `isTTY` plays a terminal, whose progress lines are kept too. */
export async function runCli(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string; progress: string[] }> {
  return runCliOn({ isTTY: false }, cwd, ...argv);
}

export async function runCliOn(terminal: { isTTY: boolean }, cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const progress: string[] = [];
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), progress: (line) => void progress.push(line), isTTY: terminal.isTTY };
  const code = await main(argv, io, cwd);
  return { code, stdout, stderr, progress };
}

/** A fixture case's text (`<name>.input.txt` / `<name>.output.txt`). */
export function fixture(name: string): string {
  return readFileSync(join(CASES, name), 'utf8');
}

/** With UPDATE_CODEGEN_FIXTURES=1, (re)writes an expected output instead of comparing (review the diff!). */
export function expectFixture(name: string, actual: string): void {
  if (process.env['UPDATE_CODEGEN_FIXTURES'] === '1') writeFileSync(join(CASES, name), actual);
  expect(actual).toBe(fixture(name));
}

/** Runs node in a child process; a failure shows what it printed. */
export function node(cwd: string, ...args: string[]): string {
  try {
    return execFileSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    throw new Error(`node ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
  }
}

const TSC = resolve(__dirname, '../../node_modules/typescript/bin/tsc');

/** tsc's errors in `dir` as `file code message`, sorted: positions are left out, since instrumenting moves lines. */
export function tscErrors(dir: string, emit: boolean): string[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [TSC, '-p', dir, ...(emit ? [] : ['--noEmit'])], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    out = (error as { stdout: string }).stdout;
  }
  return out
    .split('\n')
    .map((line) => /^(.+?)\(\d+,\d+\): error (TS\d+): (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]} ${m[3]}`)
    .sort();
}
