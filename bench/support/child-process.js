'use strict';
/**
 * One benchmark row = one fresh child process: the script forks itself with
 * `--child …`; the child reports one JSON message over IPC, then must exit on
 * its own (a child still alive 5 s later exits with code 3, reported).
 */
const { fork, spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');

/**
 * The parent's environment without tracer settings (LANGSMITH_*, LANGCHAIN_*,
 * TRACEWIRE_*, NODE_OPTIONS, and any prefix in options.alsoStrip), plus
 * BENCH_SINK_URL; options.langsmith: tracing on and pointed at the sink.
 */
function childEnv(sinkUrl, options = {}) {
  const prefixes = ['LANGSMITH_', 'LANGCHAIN_', 'TRACEWIRE_', ...(options.alsoStrip || [])];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !prefixes.some((p) => k.startsWith(p))));
  env.BENCH_SINK_URL = sinkUrl;
  if (options.langsmith) {
    env.LANGSMITH_TRACING = 'true';
    env.LANGSMITH_ENDPOINT = sinkUrl;
    env.LANGSMITH_API_KEY = 'bench';
  }
  return env;
}

/**
 * Forks `script args…`; resolves once it closed (stdout/stderr drained) with
 * { result (its IPC message), code, signal, timedOut, stderr, stdout, wallMs }.
 * SIGKILLed after timeoutMs.
 */
function forkChild(script, args, { env, execArgv = [], timeoutMs }) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = fork(script, args, { env, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let result;
    let stderr = '';
    let stdout = '';
    let timedOut = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('message', (m) => { result = m; });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ result, code, signal, timedOut, stderr, stdout, wallMs: performance.now() - started });
    });
  });
}

/** Child side: runs work(), sends its result (or { error }) to the parent, disconnects. */
async function reportToParent(work) {
  let result;
  try {
    result = await work();
  } catch (error) {
    result = { error: String(error && error.stack ? error.stack : error) };
  }
  process.send(result, () => {
    process.disconnect();
    // Not the normal path: a child kept alive by an open handle exits with code 3 and the parent says so.
    setTimeout(() => process.exit(3), 5000).unref();
  });
}

/** "child exit code 3 (still alive …)" text for a run that reported but did not exit 0. */
const exitProblem = (run) => `child exit code ${run.code ?? run.signal}${run.code === 3 ? ' (still alive 5 s after reporting: an open handle kept it up)' : ''}`;

/** Prints what the children said on stderr: distinct lines, the first 4 per run. */
function printChildStderr(runs, nameOf, per) {
  const said = [];
  for (const run of runs) {
    const lines = [...new Set(run.stderr.split('\n').map((l) => l.trim()).filter(Boolean))];
    if (lines.length) said.push(`  ${nameOf(run)} (${lines.length} distinct line(s)): ${lines.slice(0, 4).map((l) => (l.length > 200 ? l.slice(0, 200) + '…' : l)).join(' ⏎ ')}`);
  }
  if (said.length) {
    console.log('');
    console.log(`child stderr (distinct lines, first 4 per ${per}):`);
    for (const l of said) console.log(l);
  }
}

/**
 * Spawns `command args…` (any runtime: no IPC); resolves with the first line
 * of its stdout that is a JSON object, parsed. Rejects, naming `what`, if it
 * exits non-zero or prints none. SIGKILLed after timeoutMs.
 */
function spawnReport(what, command, args, env, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) return reject(new Error(`child for ${what} exited ${code ?? signal}: ${err.slice(0, 500)}`));
      resolve(JSON.parse(line));
    });
  });
}

module.exports = { childEnv, forkChild, spawnReport, reportToParent, exitProblem, printChildStderr };
