import 'reflect-metadata';
import {
  CallHandler,
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Inject,
  Injectable,
  Module,
  NestInterceptor,
  Param,
  ParseIntPipe,
  SetMetadata,
  UseGuards,
  UseInterceptors,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { Observable, map, of } from 'rxjs';
import { FlushOnExit, MemoryExporter, Traceable, TracingClient, getGlobalTracingClient, setGlobalTracingClient, type InvocationFlushResult } from '../../index';

/**
 * NestJS supports only experimentalDecorators, hence `.legacy.test.ts`
 * (tsconfig.tc39.json leaves it out). A real NestJS app on 127.0.0.1: a global guard reads `@SetMetadata` roles
 * through `Reflector` from the handler function, a pipe parses the id, an
 * interceptor wraps the response. Each route stacks `@Traceable` and
 * `@FlushOnExit` in another order with Nest's decorators between them; a
 * lost metadata key shows as a 404 (route), a 200 for a guest (guard) or an
 * unwrapped body (interceptor).
 */
const Roles = (...roles: string[]) => SetMetadata('roles', roles);
const flushes: InvocationFlushResult[] = [];
const F = () => FlushOnExit({ timeoutMillis: 2_000, onFlushResult: (result) => void flushes.push(result) });

@Injectable()
class RolesGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.get<string[] | undefined>('roles', context.getHandler());
    if (roles === undefined) return true;
    return roles.includes(String(context.switchToHttp().getRequest().headers['x-role']));
  }
}

@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((data) => ({ data })));
  }
}

/** A service whose stream does traced work when subscribed: a route hands its Observable back as is. */
@Injectable()
class PriceService {
  @Traceable()
  lookup(id: number) { return id * 10; }

  @Traceable()
  price$(id: number): Observable<{ price: number }> {
    return new Observable((subscriber) => {
      subscriber.next({ price: this.lookup(id) });
      subscriber.complete();
    });
  }
}

@Controller('orders')
class OrdersController {
  constructor(@Inject(PriceService) private readonly prices: PriceService) {}

  @Traceable() @Get('price/:id')
  price(@Param('id', ParseIntPipe) id: number): Observable<{ price: number }> { return this.prices.price$(id); }

  @Traceable() @Get('a/:id') @Roles('admin') @UseInterceptors(WrapInterceptor) @F()
  async traceFirst(@Param('id', ParseIntPipe) id: number) { return { id, route: 'a' }; }

  @F() @Get('b/:id') @Roles('admin') @UseInterceptors(WrapInterceptor) @Traceable()
  async flushFirst(@Param('id', ParseIntPipe) id: number) { return { id, route: 'b' }; }

  @Get('c/:id') @Traceable() @Roles('admin') @UseInterceptors(WrapInterceptor) @F()
  async routeFirst(@Param('id', ParseIntPipe) id: number) { return { id, route: 'c' }; }

  @Roles('admin') @UseInterceptors(WrapInterceptor) @F() @Traceable() @Get('d/:id')
  async rolesFirst(@Param('id', ParseIntPipe) id: number) { return { id, route: 'd' }; }

  @Traceable() @Get('stream/:id') @Roles('admin') @F()
  stream(@Param('id', ParseIntPipe) id: number): Observable<{ id: number }> { return of({ id }); }
}

@Traceable({ runType: 'tool' })
@Controller('catalog')
class CatalogController {
  @Get(':id') @Roles('admin') @UseInterceptors(WrapInterceptor) @F()
  async item(@Param('id', ParseIntPipe) id: number) { return { id, route: 'catalog' }; }

  @F() @UseGuards(RolesGuard) @Get('open/:id')
  async open(@Param('id', ParseIntPipe) id: number) { return { id, route: 'open' }; }
}

@Module({ controllers: [OrdersController, CatalogController], providers: [PriceService, { provide: APP_GUARD, useClass: RolesGuard }] })
class AppModule {}

let app: INestApplication;
let base: string;
let exporter: MemoryExporter;
let client: TracingClient;

beforeAll(async () => {
  exporter = new MemoryExporter();
  client = new TracingClient({ exporter, projectName: 'nest' });
  setGlobalTracingClient(client);
  app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}, 30_000);

afterAll(async () => {
  await app?.close();
  setGlobalTracingClient(undefined);
});

beforeEach(() => {
  exporter.reset();
  flushes.length = 0;
});

const get = async (path: string, role?: string) => {
  const response = await fetch(base + path, { headers: role === undefined ? {} : { 'x-role': role } });
  return { status: response.status, body: (await response.json()) as unknown };
};

const runsNamed = async (name: string) => {
  await client.flush({ timeoutMillis: 2_000 });
  return exporter.finishedRuns.filter((run) => run.name === name);
};

test.each([
  ['a', 'traceFirst'],
  ['b', 'flushFirst'],
  ['c', 'routeFirst'],
  ['d', 'rolesFirst'],
])('route %s (%s): routed, guarded, piped, intercepted, traced and flushed', async (route, handler) => {
  expect(await get(`/orders/${route}/7`, 'admin')).toEqual({ status: 200, body: { data: { id: 7, route } } });
  const runs = await runsNamed(handler);
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ status: 'success', inputs: { input: 7 }, outputs: { id: 7, route } });
  expect(flushes.length).toBeGreaterThanOrEqual(1);
  expect((await get(`/orders/${route}/7`, 'guest')).status).toBe(403); // the guard still sees @Roles
  expect((await get(`/orders/${route}/seven`, 'admin')).status).toBe(400); // the pipe still runs
});

test('an Observable a handler returns is traced until Nest has consumed it', async () => {
  expect(await get('/orders/stream/3', 'admin')).toEqual({ status: 200, body: { id: 3 } });
  const runs = await runsNamed('stream');
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ status: 'success', outputs: { outputs: [{ id: 3 }] } });
});

test("a route handing back a traced service's Observable as is: the service's run covers Nest's consumption, and the work its subscription does nests under it", async () => {
  expect(await get('/orders/price/4')).toEqual({ status: 200, body: { price: 40 } });
  const [route] = await runsNamed('price');
  const [service] = await runsNamed('price$');
  const [work] = await runsNamed('lookup');
  expect(route).toMatchObject({ status: 'success', outputs: { outputs: [{ price: 40 }] } });
  expect(service).toMatchObject({ status: 'success', parent_run_id: route!.id, outputs: { outputs: [{ price: 40 }] } });
  expect(work).toMatchObject({ status: 'success', parent_run_id: service!.id });
});

test('@Traceable on the controller class: every route keeps its metadata and is traced with the class options', async () => {
  expect(await get('/catalog/5', 'admin')).toEqual({ status: 200, body: { data: { id: 5, route: 'catalog' } } });
  expect((await get('/catalog/5', 'guest')).status).toBe(403);
  expect(await get('/catalog/open/6')).toEqual({ status: 200, body: { id: 6, route: 'open' } });
  const item = await runsNamed('item');
  expect(item).toHaveLength(1);
  expect(item[0]!.run_type).toBe('tool');
  expect(await runsNamed('open')).toHaveLength(1);
});

test('every metadata key Nest wrote on the handler functions is still there', () => {
  for (const handler of [OrdersController.prototype.traceFirst, OrdersController.prototype.flushFirst, CatalogController.prototype.item]) {
    expect(Reflect.getMetadataKeys(handler)).toEqual(expect.arrayContaining(['path', 'method', 'roles', '__interceptors__']));
  }
});

describe("TracingClient in Nest's own container", () => {
  @Injectable()
  class UsesTracing {
    constructor(@Inject(TracingClient) readonly tracing: TracingClient) {}
  }

  test('the README recipe (a factory giving the global client) injects the client tracing uses', async () => {
    @Module({ providers: [{ provide: TracingClient, useFactory: () => getGlobalTracingClient() }, UsesTracing] })
    class WithFactory {}
    const context = await NestFactory.createApplicationContext(WithFactory, { logger: false });
    try {
      expect(context.get(UsesTracing).tracing).toBe(client);
    } finally {
      await context.close();
    }
  });

  test('providers: [TracingClient] alone (Nest calls new TracingClient() without options) is refused, saying what to provide instead', async () => {
    @Module({ providers: [TracingClient, UsesTracing] })
    class Bare {}
    await expect(NestFactory.createApplicationContext(Bare, { logger: false, abortOnError: false })).rejects.toThrow(
      /Invalid exporter: received undefined; expected a SpanExporter \(e\.g\. new MemoryExporter\(\)\); a container that makes the client itself should be given the one tracing uses \(NestJS: useFactory: \(\) => getGlobalTracingClient\(\)\)/,
    );
  });
});
