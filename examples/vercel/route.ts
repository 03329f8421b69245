/**
 * A Vercel Node function (`api/hello.ts`, or `app/api/hello/route.ts` in
 * Next.js): a Web `GET(request)` that returns a `Response`. Vercel may
 * freeze the function once the response is sent, unless the work was handed
 * to `waitUntil`; @FlushOnExit hands it the delivery, so the response is not
 * delayed by it.
 *
 * `waitUntil` here is `@vercel/functions`' own: it reads the request context
 * Vercel's runtime installs. `waitUntil: 'auto'` reads the same context
 * without the dependency, and awaits the delivery where there is none.
 */
import 'reflect-metadata';
import { waitUntil } from '@vercel/functions';
import { FlushOnExit, LangSmithExporter, Traceable, configureTracing } from 'tracewire';

configureTracing({ exporter: new LangSmithExporter(), projectName: 'vercel-example' });

const greet = async (name: string): Promise<string> => `hello, ${name}`;

class Route {
  @FlushOnExit({ waitUntil })
  @Traceable({ name: 'GET /api/hello' })
  async GET(request: Request): Promise<Response> {
    const name = new URL(request.url).searchParams.get('name') ?? 'world';
    return new Response(await this.render(name), { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  @Traceable({ runType: 'prompt' })
  private async render(name: string): Promise<string> {
    return greet(name);
  }
}

const route = new Route();
export const GET = (request: Request) => route.GET(request);
