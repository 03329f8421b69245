/**
 * A Vercel-style route handler. With waitUntil: 'auto', @FlushOnExit finds
 * Vercel's request context and hands the flush to its waitUntil, so the
 * response is not delayed; elsewhere it simply awaits the flush.
 */
import 'reflect-metadata';
import { FlushOnExit, LangSmithExporter, Traceable, configureTracing } from 'tracewire';

configureTracing({ exporter: new LangSmithExporter(), projectName: 'vercel-example' });

const greet = async (name: string): Promise<string> => `hello, ${name}`;

class Route {
  @FlushOnExit({ waitUntil: 'auto' })
  @Traceable({ name: 'GET /api/hello' })
  async GET(request: { url: string }): Promise<{ status: number; body: string }> {
    const name = new URL(request.url).searchParams.get('name') ?? 'world';
    return { status: 200, body: await this.render(name) };
  }

  @Traceable({ runType: 'prompt' })
  private async render(name: string): Promise<string> {
    return greet(name);
  }
}

const route = new Route();
export const GET = (request: { url: string }) => route.GET(request);
