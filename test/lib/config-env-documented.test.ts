import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectorSettings, exporterFromEnv, jsonlPath } from '../../lib/config-exporter';
import { hiddenByEnv, resolveDeliveryConfig, type DeliveryConfig } from '../../lib/config';
import type { Env } from '../../lib/config-env';
// As the Node entry does: TRACEWIRE_SPOOL_DIR is read where a spool exists (an edge entry ignores it).
import '../../lib/spool/node-spool';

/**
 * Every `TRACEWIRE_*` variable the README and docs name, each shown to be
 * honoured. The numeric settings' variables are derived from the setting's
 * name in lib/config.ts (no literal name there to grep for), so this list is
 * what keeps the derivation and the documentation from drifting apart: a
 * variable documented but not read fails here, and so does one documented
 * that this list lacks.
 */

const ROOT = path.join(__dirname, '..', '..');

/** Variables of the project's own tooling (mutation testing), not of the library. */
const TOOLING = /^TRACEWIRE_MUTATION_/;

/** What the variable's value changes: the resolved setting it is documented for. */
type Probe = (env: Env) => unknown;
const delivery =
  (key: keyof DeliveryConfig): Probe =>
  (env) =>
    resolveDeliveryConfig({}, env)[key];

/** variable → [a value other than the default, what it changes, what that becomes]. */
const DOCUMENTED: Record<string, [string, Probe, unknown]> = {
  TRACEWIRE_TRACING: ['false', delivery('enabled'), false],
  TRACEWIRE_TRACING_BACKGROUND: ['false', delivery('mode'), 'blocking'],
  TRACEWIRE_MANUAL_FLUSH: ['true', delivery('mode'), 'manual'],
  TRACEWIRE_PROJECT: ['checkout', delivery('projectName'), 'checkout'],
  TRACEWIRE_DROP_POLICY: ['drop-oldest', delivery('dropPolicy'), 'drop-oldest'],
  TRACEWIRE_SPOOL_DIR: ['/var/spool/tw', delivery('spoolDir'), '/var/spool/tw'],
  TRACEWIRE_SAMPLE_RATE: ['0.25', delivery('sampleRate'), 0.25],
  TRACEWIRE_HIDE_INPUTS: ['true', (env) => hiddenByEnv(env).inputs, true],
  TRACEWIRE_HIDE_OUTPUTS: ['true', (env) => hiddenByEnv(env).outputs, true],
  TRACEWIRE_HIDE_METADATA: ['true', (env) => hiddenByEnv(env).metadata, true],
  TRACEWIRE_MAX_BATCH_SIZE: ['7', delivery('maxBatchSize'), 7],
  TRACEWIRE_MAX_BATCH_BYTES: ['7', delivery('maxBatchBytes'), 7],
  TRACEWIRE_FLUSH_INTERVAL_MILLIS: ['7', delivery('flushIntervalMillis'), 7],
  TRACEWIRE_MAX_CONCURRENT_EXPORTS: ['7', delivery('maxConcurrentExports'), 7],
  TRACEWIRE_MAX_QUEUE_SIZE: ['7', delivery('maxQueueSize'), 7],
  TRACEWIRE_MAX_QUEUE_BYTES: ['7', delivery('maxQueueBytes'), 7],
  TRACEWIRE_MAX_SPOOL_BYTES: ['7', delivery('maxSpoolBytes'), 7],
  TRACEWIRE_MAX_RETRIES: ['7', delivery('maxRetries'), 7],
  TRACEWIRE_INITIAL_BACKOFF_MILLIS: ['7', delivery('initialBackoffMillis'), 7],
  // Above the first back-off's default (200): below it, that default would follow it down.
  TRACEWIRE_MAX_BACKOFF_MILLIS: ['700', delivery('maxBackoffMillis'), 700],
  TRACEWIRE_EXPORT_TIMEOUT_MILLIS: ['7', delivery('exportTimeoutMillis'), 7],
  TRACEWIRE_MAX_REQUESTS_PER_SECOND: ['7', delivery('maxRequestsPerSecond'), 7],
  TRACEWIRE_FLUSH_TIMEOUT_MILLIS: ['7', delivery('flushTimeoutMillis'), 7],
  TRACEWIRE_UNCONSUMED_STREAM_TIMEOUT_MILLIS: ['7', delivery('unconsumedStreamTimeoutMillis'), 7],
  TRACEWIRE_EXPORTER: ['console', (env) => exporterFromEnv(env)?.name, 'console'],
  // Remote: with its token, which a collector elsewhere than this machine requires.
  TRACEWIRE_COLLECTOR_ENDPOINT: ['http://10.0.0.9:4319', (env) => collectorSettings({ ...env, TRACEWIRE_COLLECTOR_TOKEN: 't' }).endpoint, 'http://10.0.0.9:4319'],
  TRACEWIRE_COLLECTOR_TOKEN: ['t0k3n', (env) => collectorSettings(env).token, 't0k3n'],
  TRACEWIRE_JSONL_PATH: ['/tmp/runs.jsonl', jsonlPath, '/tmp/runs.jsonl'],
};

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const at = path.join(dir, entry.name);
    return entry.isDirectory() ? markdownFiles(at) : entry.name.endsWith('.md') ? [at] : [];
  });
}

function documentedVariables(): string[] {
  const text = [path.join(ROOT, 'README.md'), ...markdownFiles(path.join(ROOT, 'docs'))].map((file) => fs.readFileSync(file, 'utf8')).join('\n');
  // `TRACEWIRE_*` (the prefix alone, as prose uses it) ends in `_` and is no variable.
  const names = (text.match(/\bTRACEWIRE_[A-Z0-9_]*[A-Z0-9]\b/g) ?? []).filter((name) => !TOOLING.test(name));
  return [...new Set(names)].sort();
}

test('the list below holds exactly the variables the README and docs name', () => {
  expect(Object.keys(DOCUMENTED).sort()).toEqual(documentedVariables());
});

test.each(Object.entries(DOCUMENTED))('%s is honoured', (variable, [value, probe, expected]) => {
  expect(probe({})).not.toEqual(expected);
  expect(probe({ [variable]: value })).toEqual(expected);
});

test('every numeric setting resolveDeliveryConfig returns is changed by one of these variables', () => {
  const defaults = resolveDeliveryConfig({}, {});
  const numeric = Object.keys(defaults).filter((key) => typeof defaults[key as keyof DeliveryConfig] === 'number' || key === 'maxRequestsPerSecond');
  expect(numeric.length).toBeGreaterThanOrEqual(14);
  for (const key of numeric) {
    const setters = Object.entries(DOCUMENTED).filter(([variable, [value]]) => resolveDeliveryConfig({}, { [variable]: value })[key as keyof DeliveryConfig] !== defaults[key as keyof DeliveryConfig]);
    expect([key, setters.length]).toEqual([key, 1]);
  }
});
