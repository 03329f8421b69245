/**
 * @internal Node built-ins that only sending or the spool need (`node:http`,
 * `node:https`, `node:zlib`, `node:fs/promises`), loaded when first used
 * rather than when tracewire is loaded.
 *
 * Why: a bundler turns a top-level `import` of a built-in into a top-level
 * `require`, and initialising `node:http` + `node:https` (which pulls in
 * `net`, `stream`, `tls`), `node:zlib` and `node:fs/promises` cost more of a
 * serverless cold start than everything else tracewire does at load. A
 * handler that never sends (or sends through an exporter of its own) never
 * pays for them.
 *
 * Types stay exact: write `lazyBuiltin<typeof import('node:http')>('node:http')`
 * (a type-only import, erased from the output).
 */
import type * as Fs from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Url from 'node:url';
import type * as Crypto from 'node:crypto';
import type * as Os from 'node:os';
import { createRequire } from 'node:module';

type BuiltinLoader = (id: string) => unknown;

let fallback: BuiltinLoader | undefined;

/**
 * `process.getBuiltinModule` (Node ≥ 20.16), else this file's own `require` (built-ins resolve from anywhere): the
 * CommonJS build's, or the one the one-file ES entry makes of its own location (see scripts/bundle-node.mjs), which
 * holds in an app's bundle too; else, unbundled ES modules, a `require` made for the working directory.
 */
function loadBuiltin(id: string): unknown {
  const viaProcess = (process as { getBuiltinModule?: BuiltinLoader }).getBuiltinModule?.(id);
  if (viaProcess !== undefined) return viaProcess;
  // Not `createRequire` first: webpack turns a `createRequire` it can see into `undefined` in a Node bundle of the ES
  // entry, and every export failed there on Node before 20.16 ("makeRequire is not a function").
  if (typeof require === 'function') {
    const own: BuiltinLoader = require; // a value, not a call a bundler would try to resolve
    return own(id);
  }
  // Called through a binding of its own: webpack parses a direct `createRequire(…)` call, and warns of one whose path
  // is made at run time ("createRequire failed parsing argument") in every build that takes the Node entry.
  const makeRequire: (path: string) => BuiltinLoader = createRequire;
  fallback ??= makeRequire(`${process.cwd()}/`);
  return fallback(id);
}

/** A getter that loads the built-in `id` on its first call and returns the same module after. */
export function lazyBuiltin<T>(id: `node:${string}`): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= loadBuiltin(id) as T);
}

// One getter per built-in, shared by every module that needs it (the spool's files, the JSONL exporter, the
// HTTP transport), rather than one each. Pure: a bundle that imports this file for something else drops them.
/** @internal `node:fs/promises`, loaded on first call. */
export const fsPromises = /* @__PURE__ */ lazyBuiltin<typeof FsPromises>('node:fs/promises');
/** @internal `node:fs`, loaded on first call: only a spool's directory is checked with it, once, at construction. */
export const nodeFs = /* @__PURE__ */ lazyBuiltin<typeof Fs>('node:fs');
/** @internal `node:http`, loaded on first call. */
export const nodeHttp = /* @__PURE__ */ lazyBuiltin<typeof Http>('node:http');
/** @internal `node:https`, loaded on first call. */
export const nodeHttps = /* @__PURE__ */ lazyBuiltin<typeof Https>('node:https');
/** @internal `node:url`, loaded on first call: `fileURLToPath`, for a `file:` URL given as a JSONL file's path. */
export const nodeUrl = /* @__PURE__ */ lazyBuiltin<typeof Url>('node:url');
/** @internal `node:crypto`, loaded on first call: the spool's digest of its exporter's destination, at its first file. */
export const nodeCrypto = /* @__PURE__ */ lazyBuiltin<typeof Crypto>('node:crypto');
/** @internal `node:os`, loaded on first call: the host a spool claim names (see `claim-owner.ts`). */
export const nodeOs = /* @__PURE__ */ lazyBuiltin<typeof Os>('node:os');
