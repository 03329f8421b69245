import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export const ROOT = resolve(__dirname, '../..');

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Bundles `entry` as one ES module, resolving `tracewire` as a bundler would for `conditions`; `external`: the platform's own modules. */
export async function bundle(entry: string, outfile: string, conditions: string[], external: string[] = []): Promise<string[]> {
  // The package as an installed dependency, so its `exports` conditions pick the entry.
  const modules = join(outfile, '..', 'node_modules');
  mkdirSync(modules, { recursive: true });
  symlinkSync(ROOT, join(modules, 'tracewire'), 'dir');
  const result = await build({
    nodePaths: [modules],
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions,
    mainFields: ['module', 'main'],
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
    external: ['node:async_hooks', ...external],
    metafile: true,
    logLevel: 'error',
  });
  return [...new Set(Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((imported) => imported.path)))].filter((path) => path.startsWith('node:'));
}

/** A scratch directory, removed by the returned function. */
export function scratch(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a long-running runtime process and resolves once `url` answers. */
export async function startServer(command: string, args: string[], url: string, env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}: ${output}`);
    try {
      await fetch(url);
      return { child, output: () => output };
    } catch {
      if (Date.now() > deadline) throw new Error(`${command} did not answer within 30 s: ${output}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

/** Runs `count` calls of `task`, `parallel` at a time. */
export async function inWaves<T>(count: number, parallel: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let next = 0; next < count; next += parallel) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - next) }, (_, i) => task(next + i)))));
  }
  return results;
}

export function writeText(path: string, text: string): void {
  writeFileSync(path, text);
}

/**
 * A workerd config serving `worker.js` (an esbuild bundle beside it) on
 * 127.0.0.1:`port`, as wrangler would deploy it: compatibility date
 * 2025-08-15, only the `nodejs_als` flag (or `compatibilityFlags`), outbound
 * network allowed, and `bindings` as text bindings (the worker's `env`; with
 * `nodejs_compat`, also `process.env`). `durableObjects`: binding name →
 * class the worker exports, each a namespace kept in memory.
 */
export function workerdConfig(port: number, bindings: Readonly<Record<string, string>> = {}, compatibilityFlags: readonly string[] = ['nodejs_als'], durableObjects: Readonly<Record<string, string>> = {}): string {
  const objects = Object.entries(durableObjects);
  const allBindings = [
    ...Object.entries(bindings).map(([name, text]) => `(name = "${name}", text = "${text}")`),
    ...objects.map(([name, className]) => `(name = "${name}", durableObjectNamespace = "${className}")`),
  ];
  const namespaces = objects.map(([, className]) => `(className = "${className}", uniqueKey = "tracewire-${className}")`);
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker), (name = "net", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2025-08-15",
  compatibilityFlags = [${compatibilityFlags.map((flag) => `"${flag}"`).join(', ')}],
${allBindings.length === 0 ? '' : `  bindings = [ ${allBindings.join(', ')} ],\n`}${namespaces.length === 0 ? '' : `  durableObjectNamespaces = [ ${namespaces.join(', ')} ],\n  durableObjectStorage = (inMemory = void),\n`}  globalOutbound = "net",
);
`;
}
