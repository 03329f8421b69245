import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CodegenUsageError } from './usage-error.js';

/** The default config file, looked up in the working directory. */
export const CONFIG_FILE = 'tracewire-instrument.json';

/**
 * What a config file may set: the same selection as the command line, so CI
 * and people run the same thing. A flag on the command line wins over the file.
 */
export interface InstrumentConfig {
  project?: string;
  include?: string[];
  exclude?: string[];
  functions?: boolean;
  fields?: boolean;
  publicOnly?: boolean;
  asyncOnly?: boolean;
  name?: string[];
  classes?: string[];
  decoratorOptions?: string;
}

const KINDS: Record<keyof InstrumentConfig, 'string' | 'string[]' | 'boolean'> = {
  project: 'string',
  include: 'string[]',
  exclude: 'string[]',
  functions: 'boolean',
  fields: 'boolean',
  publicOnly: 'boolean',
  asyncOnly: 'boolean',
  name: 'string[]',
  classes: 'string[]',
  decoratorOptions: 'string',
};

/** Reads `explicit` (which must exist) or ./tracewire-instrument.json (if it exists); `{}` without either. */
export function readConfig(cwd: string, explicit: string | undefined): InstrumentConfig {
  const path = resolve(cwd, explicit ?? CONFIG_FILE);
  if (!existsSync(path)) {
    if (explicit !== undefined) throw new CodegenUsageError(`--config ${explicit}: no such file.`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CodegenUsageError(`${path}: not valid JSON (${(error as Error).message}).`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CodegenUsageError(`${path}: expected a JSON object.`);
  for (const [key, value] of Object.entries(parsed)) {
    // Own keys only: `toString` or `constructor` would find Object's members.
    const kind = Object.hasOwn(KINDS, key) ? KINDS[key as keyof InstrumentConfig] : undefined;
    if (kind === undefined) throw new CodegenUsageError(`${path}: unknown setting "${key}"; accepted: ${Object.keys(KINDS).join(', ')}.`);
    // An empty string is no name nor glob: picomatch met it with a raw TypeError.
    const ok = kind === 'string[]' ? Array.isArray(value) && value.every((v) => typeof v === 'string' && v.trim() !== '') : typeof value === kind;
    if (!ok) throw new CodegenUsageError(`${path}: "${key}" must be ${kind === 'string[]' ? 'an array of non-empty strings' : `a ${kind}`}.`);
  }
  return parsed as InstrumentConfig;
}
