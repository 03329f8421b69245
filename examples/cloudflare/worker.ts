/**
 * A Cloudflare Worker (module syntax) — deploy it with the `wrangler.toml`
 * beside it: `compatibility_date = "2025-08-15"` and
 * `compatibility_flags = ["nodejs_als"]` (AsyncLocalStorage is all tracewire
 * needs; `nodejs_compat` also works). Wrangler bundles with the `workerd`
 * condition, so `tracewire` resolves to its edge entry (fetch transport, no
 * Node built-ins).
 *
 * With `waitUntil: 'auto'`, @FlushOnExit finds `ctx` among the arguments and
 * hands it the delivery: the Response goes out at once, and workerd keeps
 * the request alive until the spans are sent. Workers have no `process.env`:
 * settings come from the `env` bindings (`wrangler secret put OTLP_AUTHORIZATION`).
 */
import { FlushOnExit, OtlpHttpExporter, Traceable, TracingClient, getGlobalTracingClient, setGlobalTracingClient } from 'tracewire';

interface Env {
  /** e.g. https://api.honeycomb.io or your collector; spans go to {OTLP_ENDPOINT}/v1/traces. */
  readonly OTLP_ENDPOINT: string;
  readonly OTLP_AUTHORIZATION?: string;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** One client per isolate, made on the first request: bindings arrive with requests, not at module load. */
function ensureTracing(env: Env): void {
  if (getGlobalTracingClient() !== undefined) return;
  const headers = env.OTLP_AUTHORIZATION === undefined ? undefined : { authorization: env.OTLP_AUTHORIZATION };
  setGlobalTracingClient(new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: env.OTLP_ENDPOINT, headers, protocol: 'http/json', serviceName: 'worker-example' }) }));
}

class Worker {
  @FlushOnExit({ waitUntil: 'auto' })
  @Traceable({ name: 'worker.fetch' })
  async fetch(request: Request, _env: Env, _ctx: ExecutionContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    return new Response(await this.lookup(path), { headers: { 'content-type': 'text/plain' } });
  }

  @Traceable({ runType: 'retriever' })
  private async lookup(path: string): Promise<string> {
    return `content of ${path}`;
  }
}

const worker = new Worker();
export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    ensureTracing(env);
    return worker.fetch(request, env, ctx);
  },
};
