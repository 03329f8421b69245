import 'reflect-metadata';
import { container } from 'tsyringe';
import { MemoryExporter, TRACING_CLIENT, Traceable, TracingClient, configureTracing, registerTracing, setGlobalTracingClient } from '../../index';

/**
 * Decorators are applied once, when the class is defined; which tenant a
 * call belongs to is known only per call. `client: TRACING_CLIENT` is
 * resolved on every call from the container that built the service.
 * Compiled twice by jest.config.ts: once per decorator mode.
 */
afterEach(() => {
  setGlobalTracingClient(undefined);
  container.reset();
});

class Inventory {
  @Traceable({ client: TRACING_CLIENT })
  async reserve(item: string): Promise<string> {
    return this.count(item);
  }

  @Traceable()
  count(item: string): string {
    return `${item}:1`;
  }
}

class Checkout {
  @Traceable({ client: TracingClient })
  async pay(amount: number): Promise<number> {
    return amount;
  }
}

async function runsOf(client: TracingClient, exporter: MemoryExporter) {
  await client.flush({ timeoutMillis: 2_000 });
  return exporter.finishedRuns.map((run) => [run.name, run.session_name]).sort();
}

test('a service resolved from a tenant’s child container reports to that tenant’s client; one from the root, to the global client', async () => {
  const globalExporter = new MemoryExporter();
  const global = configureTracing({ exporter: globalExporter, projectName: 'global' });
  const tenants = ['a', 'b'].map((name) => {
    const exporter = new MemoryExporter();
    const child = container.createChildContainer();
    const client = registerTracing(child, { exporter, projectName: `tenant-${name}` });
    return { exporter, client, child };
  });
  await tenants[0]!.child.resolve(Inventory).reserve('apple');
  await tenants[1]!.child.resolve(Inventory).reserve('pear');
  await container.resolve(Inventory).reserve('plum');
  // Children without a client of their own follow their parent's.
  expect(await runsOf(tenants[0]!.client, tenants[0]!.exporter)).toEqual([['count', 'tenant-a'], ['reserve', 'tenant-a']]);
  expect(await runsOf(tenants[1]!.client, tenants[1]!.exporter)).toEqual([['count', 'tenant-b'], ['reserve', 'tenant-b']]);
  expect(await runsOf(global, globalExporter)).toEqual([['count', 'global'], ['reserve', 'global']]);
});

test('a class token (TracingClient) works the same way', async () => {
  const exporter = new MemoryExporter();
  const child = container.createChildContainer();
  const client = registerTracing(child, { exporter, projectName: 'tenant-c' });
  expect(await child.resolve(Checkout).pay(5)).toBe(5);
  expect(await runsOf(client, exporter)).toEqual([['pay', 'tenant-c']]);
});

test('a token nobody registered falls back to the global client (none here: the call just runs)', async () => {
  expect(await new Checkout().pay(3)).toBe(3);
});

// A tenant lookup that throws: the call still runs, reported to the global client as without the option — and said
// once, where before nothing told that a tenant's calls went to the global client (a report-only probe).
test('a client resolver that throws falls back to the global client, warned once', async () => {
  const warned: string[] = [];
  const exporter = new MemoryExporter();
  const global = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: (message) => warned.push(message) } });
  setGlobalTracingClient(global);
  class Lookup {
    @Traceable({ client: (): TracingClient => { throw new Error('tenant not found'); } })
    find(id: string): string {
      return id;
    }
  }
  expect(new Lookup().find('a')).toBe('a');
  expect(new Lookup().find('b')).toBe('b');
  await global.flush();
  expect(exporter.finishedRuns.map((run) => run.name)).toEqual(['find', 'find']);
  expect(warned.filter((message) => message.includes('client option threw'))).toHaveLength(1);
});

// A class compiled to ES5 (swc's default target, Babel's for old browsers) is a plain function that throws when called
// without `new`: it was taken for a resolver, which threw, and the tenant's runs went to the global client.
test('a class token compiled to ES5 (a function with a class-call check, as swc and Babel write one) resolves through tsyringe, not called as a resolver', async () => {
  const warned: string[] = [];
  const globalExporter = new MemoryExporter();
  setGlobalTracingClient(new TracingClient({ exporter: globalExporter, manualFlushMode: true, logger: { warn: (message) => warned.push(message) } }));
  const tenantExporter = new MemoryExporter();
  const tenant = new TracingClient({ exporter: tenantExporter, manualFlushMode: true });
  // swc's ES5 output of `abstract class TenantTracing {}`, helper included.
  function _class_call_check(instance: unknown, Constructor: Function): void {
    if (!(instance instanceof Constructor)) throw new TypeError('Cannot call a class as a function');
  }
  const TenantTracing = function TenantTracing(this: unknown) {
    _class_call_check(this, TenantTracing);
  } as unknown as new () => TracingClient;
  container.register(TenantTracing, { useValue: tenant });
  class Svc {
    @Traceable({ client: TenantTracing })
    go(n: number): number {
      return n + 1;
    }
  }
  expect(new Svc().go(1)).toBe(2);
  expect(new Svc().go(2)).toBe(3);
  expect(await runsOf(tenant, tenantExporter)).toEqual([['go', 'default'], ['go', 'default']]);
  expect(globalExporter.finishedRuns).toHaveLength(0);
  expect(warned).toEqual([]);
});

// esbuild and tsx write no design:paramtypes, so NestJS injects undefined: the README's `(self) => self.tracing`
// then gave nothing, and the tenant's runs went to the global client without a word (a report-only probe).
test('a client function giving no client falls back to the global client, warned once', async () => {
  const warned: string[] = [];
  const exporter = new MemoryExporter();
  const global = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: (message) => warned.push(message) } });
  setGlobalTracingClient(global);
  class Service {
    constructor(readonly tracing?: TracingClient) {}
    @Traceable({ client: (self: Service) => self.tracing })
    work(): number {
      return 1;
    }
  }
  expect(new Service().work()).toBe(1);
  expect(new Service().work()).toBe(1);
  await global.flush();
  expect(exporter.finishedRuns.map((run) => run.name)).toEqual(['work', 'work']);
  expect(warned.filter((message) => message.includes('client option gave no TracingClient'))).toHaveLength(1);
});
