import 'reflect-metadata';
import { Controller, Get, Inject, Injectable, Module, Sse, type INestApplication, type MessageEvent } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Observable, interval, map, of, take } from 'rxjs';
import { FlushOnExit, Traceable, TracingClient, setGlobalTracingClient, type ExportBatch, type SpanExporter } from '../../index';

/**
 * A NestJS `@Sse()` route (and any Nest route) answers with the Observable its handler returns: Nest subscribes, writes
 * each event and ends the response when the stream completes. With `@FlushOnExit`, the stream's end waits for the
 * invocation's flush, so the spans the stream made are delivered before the response ends — where the platform may
 * stop the process (Cloud Run throttles its CPU then). Before, the flush ran as the handler returned, before any of the
 * stream's work: 0 of 6 of its spans by the response's end (a report-only probe). A real Nest app on 127.0.0.1.
 */
@Injectable()
class Ticker {
  @Traceable()
  tick(n: number): number {
    return n * 10;
  }
}

@Controller('events')
class EventsController {
  constructor(@Inject(Ticker) private readonly ticker: Ticker) {}

  @FlushOnExit({ timeoutMillis: 5_000 }) @Sse('ticks') @Traceable()
  ticks(): Observable<MessageEvent> {
    return interval(20).pipe(
      take(3),
      map((n) => ({ data: { value: this.ticker.tick(n) } })),
    );
  }

  @FlushOnExit({ timeoutMillis: 5_000 }) @Get('price')
  async price(): Promise<Observable<{ price: number }>> {
    return of(1).pipe(map((n) => ({ price: this.ticker.tick(n) })));
  }
}

@Module({ controllers: [EventsController], providers: [Ticker] })
class AppModule {}

/** Run names in the order their exports were answered, each export taking 100 ms. */
const delivered: string[] = [];
const slowExporter: SpanExporter = {
  export: async (batch: ExportBatch) => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const run of [...batch.post, ...batch.patch]) if (run.end_time !== undefined) delivered.push(run.name);
    return { ok: true };
  },
};

let app: INestApplication;
let client: TracingClient;
let base: string;
beforeAll(async () => {
  client = new TracingClient({ exporter: slowExporter, flushIntervalMillis: 60_000 });
  setGlobalTracingClient(client);
  app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
  setGlobalTracingClient(undefined);
  await client.shutdown();
});
beforeEach(() => (delivered.length = 0));

/** The response's body, and the runs delivered when its end arrived. */
function fetchWhole(path: string): Promise<{ status: number; body: string; deliveredAtEnd: string[] }> {
  return new Promise((done, fail) => {
    get(`${base}${path}`, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done({ status: response.statusCode!, body, deliveredAtEnd: [...delivered] }));
    }).on('error', fail);
  });
}

test("an @Sse() route's stream ends after the spans it made were delivered: the events unchanged", async () => {
  const { status, body, deliveredAtEnd } = await fetchWhole('/events/ticks');
  expect(status).toBe(200);
  // Nest's own framing: a blank line first, then one numbered event per value.
  expect(body).toBe('\n' + [0, 10, 20].map((value, i) => `id: ${i + 1}\ndata: {"value":${value}}\n\n`).join(''));
  expect(deliveredAtEnd.sort()).toEqual(['tick', 'tick', 'tick', 'ticks']);
});

test('a Nest route answering with a promise of an Observable answers after what the stream traced was delivered', async () => {
  const { status, body, deliveredAtEnd } = await fetchWhole('/events/price');
  expect([status, JSON.parse(body)]).toEqual([200, { price: 10 }]);
  expect(deliveredAtEnd).toEqual(['tick']);
});
