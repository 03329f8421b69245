import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import ts from 'typescript';
import { MemoryExporter, TracingClient, setGlobalTracingClient } from '../../index';
import { runCli } from '../codegen/codegen-harness';

/**
 * The same kind of Nest app, instrumented by `tracewire instrument --write`,
 * which puts `@Traceable()` on top of every method — over `@Get()`,
 * `@SetMetadata()` and `@FlushOnExit()` — then compiled and served.
 */
const repo = resolve(__dirname, '../..');
const source = `import { CanActivate, Controller, ExecutionContext, Get, Inject, Injectable, Module, Param, ParseIntPipe, SetMetadata } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { FlushOnExit } from 'tracewire';

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.get<string[] | undefined>('roles', context.getHandler());
    return roles === undefined || roles.includes(String(context.switchToHttp().getRequest().headers['x-role']));
  }
}

@Controller('shop')
export class ShopController {
  @Get('item/:id')
  @SetMetadata('roles', ['admin'])
  @FlushOnExit()
  async item(@Param('id', ParseIntPipe) id: number) {
    return { id };
  }
}

@Module({ controllers: [ShopController], providers: [{ provide: APP_GUARD, useClass: RolesGuard }] })
export class AppModule {}
`;

let dir: string;
let app: INestApplication;
let base: string;
const exporter = new MemoryExporter();
const client = new TracingClient({ exporter });

beforeAll(async () => {
  mkdirSync(join(repo, '.tmp'), { recursive: true });
  dir = mkdtempSync(join(repo, '.tmp', 'nest-instrumented-'));
  const compilerOptions = { target: 'ES2022', module: 'commonjs', strict: true, experimentalDecorators: true, emitDecoratorMetadata: true, skipLibCheck: true };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src/**/*.ts'] }));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/shop.ts'), source);
  // The app sits under the repo's ignored .tmp/ (to resolve @nestjs from its node_modules):
  // its own repository, as a user's project is, so instrument neither skips it as ignored
  // nor (with --force for its untracked files) refuses to write.
  execFileSync('git', ['init', '-q'], { cwd: dir });
  const { code, stderr } = await runCli(dir, 'instrument', '--write', '--force');
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const instrumented = readFileSync(join(dir, 'src/shop.ts'), 'utf8');
  expect(instrumented).toMatch(/@Traceable\(\/\* tracewire:auto \*\/\)\s+@Get\('item\/:id'\)/);
  const js = ts.transpileModule(instrumented, { compilerOptions: { ...compilerOptions, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } }).outputText;
  // The consumer imports 'tracewire'; here that is this checkout's entry.
  writeFileSync(join(dir, 'shop.js'), js.replaceAll('require("tracewire")', `require(${JSON.stringify(join(repo, 'index'))})`));
  setGlobalTracingClient(client);
  const { AppModule } = require(join(dir, 'shop.js')) as { AppModule: new () => unknown };
  app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await app?.close();
  setGlobalTracingClient(undefined);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test('the instrumented route is still routed and guarded, and is traced', async () => {
  const ok = await fetch(`${base}/shop/item/4`, { headers: { 'x-role': 'admin' } });
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ id: 4 });
  expect((await fetch(`${base}/shop/item/4`, { headers: { 'x-role': 'guest' } })).status).toBe(403);
  await client.flush({ timeoutMillis: 2_000 });
  // The guard's canActivate was instrumented too: one run per request.
  expect(exporter.finishedRuns.filter((run) => run.name === 'item').map((run) => run.inputs)).toEqual([{ input: 4 }]);
  expect(exporter.finishedRuns.filter((run) => run.name === 'canActivate')).toHaveLength(2);
});
