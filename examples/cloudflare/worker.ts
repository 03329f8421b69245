/**
 * A Cloudflare-Worker-style module: fetch(request, env, ctx). With
 * waitUntil: 'auto', @FlushOnExit hands the flush to ctx.waitUntil, so the
 * response goes out at once and the isolate stays up for the delivery.
 * (On Workers, AsyncLocalStorage needs the nodejs_compat flag.)
 */
import 'reflect-metadata';
import { FlushOnExit, LangSmithExporter, Traceable, configureTracing } from 'tracewire';

configureTracing({ exporter: new LangSmithExporter(), projectName: 'worker-example' });

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

class Worker {
  @FlushOnExit({ waitUntil: 'auto' })
  @Traceable({ name: 'worker.fetch' })
  async fetch(request: { url: string }, _env: unknown, _ctx: ExecutionContext): Promise<{ status: number; body: string }> {
    const path = new URL(request.url).pathname;
    return { status: 200, body: await this.lookup(path) };
  }

  @Traceable({ runType: 'retriever' })
  private async lookup(path: string): Promise<string> {
    return `content of ${path}`;
  }
}

const worker = new Worker();
export default {
  fetch: (request: { url: string }, env: unknown, ctx: ExecutionContext) => worker.fetch(request, env, ctx),
};
