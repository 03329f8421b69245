'use strict';
/**
 * The floor: a hand-rolled tracer that does only what tracing to LangSmith
 * needs, against which bench/pipeline.js states tracewire's cost per span.
 *
 * Per traced call: one AsyncLocalStorage.run() (so nested calls find their
 * parent), a run object with a UUIDv7 id and ISO timestamps, and at the end
 * ONE JSON.stringify of the whole run (inputs and outputs included) into the
 * text of the current batch. Every 100 runs the batch goes as one
 * `POST /runs/batch` (`{"post":[…]}`, complete runs only: start and end
 * travel together) on a keep-alive connection. Nothing else: no limits on
 * input size, no redaction, no retries, no queue bound, no drop accounting,
 * no start records for long calls, no sampling, no metadata, no RxJS.
 *
 * `hold: true` (the heap row): nothing is sent; the run texts are kept until
 * `flush()`, as tracewire's manual mode keeps its spans.
 *
 * `padBytes` (analytic rows only, never the judged floor): each run's text
 * is followed by that many spaces (JSON whitespace, so the body stays valid),
 * so the floor sends as many bytes per run as an exporter whose wire format
 * is larger (LangSmith multipart, OTLP JSON): what moving those bytes (held,
 * copied into the request body, written to the socket) costs a tracer that
 * does nothing else. Spaces appended, not a field JSON.stringify would scan:
 * the size of a format, not the serializing of more data.
 */
const { AsyncLocalStorage } = require('node:async_hooks');
const { randomFillSync } = require('node:crypto');
const http = require('node:http');

const BATCH_RUNS = 100;
const POOL = Buffer.allocUnsafe(4096);
let poolAt = POOL.length;

/** UUIDv7: 48 bits of Unix milliseconds, version, 74 random bits from a pooled draw. */
function uuidv7() {
  if (poolAt + 10 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const ms = Date.now().toString(16).padStart(12, '0');
  const r = POOL.toString('hex', poolAt, poolAt + 10);
  const variant = ((POOL[poolAt + 2] & 0x3f) | 0x80).toString(16);
  poolAt += 10;
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${r.slice(1, 4)}-${variant}${r.slice(6, 8)}-${r.slice(8, 20)}`;
}

class FloorTracer {
  /** @param {{ url: string, sessionName?: string, hold?: boolean, padBytes?: number }} options */
  constructor({ url, sessionName = 'default', hold = false, padBytes = 0 }) {
    this.url = new URL('/runs/batch', url);
    this.sessionName = sessionName;
    this.hold = hold;
    this.pad = padBytes > 0 ? ' '.repeat(padBytes) : undefined;
    this.als = new AsyncLocalStorage();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    this.batch = [];
    this.held = [];
    this.inFlight = new Set();
    this.sent = 0;
  }

  /** Wraps fn: sync stays sync, a promise is traced until it settles. */
  traceable(fn) {
    const tracer = this;
    const name = fn.name || 'anonymous';
    return function traced(...args) {
      const parent = tracer.als.getStore();
      const id = uuidv7();
      const run = {
        id,
        trace_id: parent === undefined ? id : parent.trace_id,
        parent_run_id: parent === undefined ? undefined : parent.id,
        name,
        run_type: 'chain',
        start_time: new Date().toISOString(),
        end_time: undefined,
        inputs: { args },
        outputs: undefined,
        error: undefined,
        session_name: tracer.sessionName,
      };
      let result;
      try {
        result = tracer.als.run(run, fn, ...args);
      } catch (error) {
        tracer.end(run, undefined, error);
        throw error;
      }
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        return result.then(
          (value) => (tracer.end(run, value), value),
          (error) => {
            tracer.end(run, undefined, error);
            throw error;
          },
        );
      }
      tracer.end(run, result);
      return result;
    };
  }

  end(run, output, error) {
    run.end_time = new Date().toISOString();
    if (error !== undefined) run.error = String(error && error.stack ? error.stack : error);
    else run.outputs = { output };
    const text = this.pad === undefined ? JSON.stringify(run) : JSON.stringify(run) + this.pad;
    if (this.hold) {
      this.held.push(text);
      return;
    }
    this.batch.push(text);
    if (this.batch.length >= BATCH_RUNS) this.send();
  }

  send() {
    if (this.batch.length === 0) return;
    const body = Buffer.from(`{"post":[${this.batch.join(',')}]}`);
    this.sent += this.batch.length;
    this.batch = [];
    const done = new Promise((resolve) => {
      const req = http.request(this.url, { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-api-key': 'bench' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', resolve);
      req.end(body);
    });
    this.inFlight.add(done);
    done.then(() => this.inFlight.delete(done));
  }

  /** Sends what is held or batched and waits for every request. */
  async flush() {
    if (this.hold) {
      for (const text of this.held) {
        this.batch.push(text);
        if (this.batch.length >= BATCH_RUNS) this.send();
      }
      this.held = [];
    }
    this.send();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  shutdown() {
    this.agent.destroy();
  }
}

module.exports = { FloorTracer, uuidv7 };
