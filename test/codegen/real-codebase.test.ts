import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { node, removeProject, runCli, tempProject, tscErrors } from './codegen-harness';

/**
 * `tracewire instrument` on a real third-party codebase it was not written
 * for: RxJS 7's own TypeScript sources, which the npm package ships under
 * `src/` (251 files, strict). RxJS is already one of tracewire's runtime
 * dependencies, so this adds nothing to install. Every file but
 * `internal/umd.ts` (a global-script bundle entry) is used.
 *
 * In both decorator modes (legacy with emitDecoratorMetadata, and TC39), with
 * and without --functions: tsc reports the same errors as on the pristine
 * sources (compared by file, code and message: instrumenting moves lines),
 * a second run changes nothing, and --remove gives back every file byte for
 * byte. With --functions the output is also compiled and loaded, and a
 * sample of the public API — traced by a live TracingClient — must behave
 * exactly like the published rxjs build.
 */
const ROOT = resolve(__dirname, '../..');
const RXJS_SRC = join(ROOT, 'node_modules/rxjs/src');

/** Runs the same scenarios on any build of rxjs; prints their observable results as JSON. */
const SAMPLE = `
const rx = require(process.argv[2]);
const { map, filter, scan, mergeMap, switchMap, catchError, take, toArray, reduce, share, startWith, distinctUntilChanged, debounceTime, concatMap, retry } = rx;
const traced = process.argv[3] === 'traced';
let client, exporter;
if (traced) {
  const tw = require('tracewire');
  exporter = new tw.MemoryExporter();
  client = new tw.TracingClient({ exporter, projectName: 'rxjs-sample' });
  tw.setGlobalTracingClient(client);
}
const seen = {};
const collect = (name, source) => source.subscribe({ next: (v) => (seen[name] ??= []).push(v), error: (e) => (seen[name + ':error'] = String(e && e.message || e)), complete: () => (seen[name + ':done'] = true) });
(async () => {
  collect('pipeline', rx.of(1, 2, 3, 4).pipe(map((x) => x * 2), filter((x) => x > 2), scan((a, b) => a + b, 0)));
  collect('merge', rx.from([1, 2]).pipe(mergeMap((x) => rx.of(x, x * 10))));
  collect('switch', rx.of('a', 'b').pipe(switchMap((x) => rx.of(x + '1', x + '2'))));
  collect('error', rx.throwError(() => new Error('boom')).pipe(catchError((e) => rx.of('caught ' + e.message))));
  collect('retry', rx.defer(() => { seen.attempts = (seen.attempts || 0) + 1; return seen.attempts < 3 ? rx.throwError(() => new Error('flaky')) : rx.of('ok'); }).pipe(retry(5)));
  collect('combine', rx.combineLatest([rx.of(1, 2), rx.of('x')]));
  collect('zip', rx.zip(rx.of(1, 2, 3), rx.of('a', 'b')));
  collect('concat', rx.concat(rx.of(1), rx.EMPTY, rx.of(2)).pipe(startWith(0), toArray()));
  const subject = new rx.Subject();
  collect('subject', subject.pipe(distinctUntilChanged(), share()));
  [1, 1, 2, 3, 3].forEach((v) => subject.next(v));
  subject.complete();
  const behavior = new rx.BehaviorSubject('first');
  collect('behavior', behavior);
  behavior.next('second');
  seen.behaviorValue = behavior.getValue();
  const replay = new rx.ReplaySubject(2);
  [1, 2, 3].forEach((v) => replay.next(v));
  collect('replay', replay);
  seen.async = await rx.lastValueFrom(rx.timer(5).pipe(concatMap(() => rx.interval(2).pipe(take(3))), reduce((a, b) => a + b, 0)));
  seen.debounced = await rx.firstValueFrom(rx.of(1, 2, 3).pipe(debounceTime(5)));
  seen.identity = { mapName: map.name, mapLength: map.length, subjectIsObservable: subject instanceof rx.Observable, ofName: rx.of.name };
  seen.config = Object.keys(rx.config).sort();
  if (traced) {
    await client.flush({ timeoutMillis: 5000 });
    seen.spans = exporter.finishedRuns.length > 0;
  }
  console.log(JSON.stringify(seen));
})();
`;


function snapshot(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(join(dir, 'src'));
  return files;
}

function expectSameTree(dir: string, pristine: Map<string, Buffer>): void {
  const now = snapshot(dir);
  expect([...now.keys()].sort()).toEqual([...pristine.keys()].sort());
  const differing = [...pristine].filter(([path, bytes]) => !now.get(path)!.equals(bytes)).map(([path]) => path);
  expect(differing).toEqual([]);
}

/** The same tsconfig in both modes but for the decorator settings (which do not change how decorator-free code checks). */
function writeTsconfig(dir: string, legacy: boolean): void {
  const compilerOptions = {
    target: 'ES2022',
    module: 'commonjs',
    strict: true,
    noImplicitReturns: true,
    skipLibCheck: true,
    types: [],
    lib: ['ES2022', 'DOM'],
    outDir: 'out',
    rootDir: 'src',
    experimentalDecorators: legacy,
    emitDecoratorMetadata: legacy,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src/**/*.ts'], exclude: ['src/internal/umd.ts'] }));
}

describe('tracewire instrument on the RxJS 7 sources', () => {
  let dir: string;
  let pristine: Map<string, Buffer>;
  let baseline: string[];
  let expected: unknown;

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first.');
    dir = tempProject({}, true);
    cpSync(RXJS_SRC, join(dir, 'src'), { recursive: true, filter: (path) => !path.endsWith('.json') });
    writeTsconfig(dir, true);
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/tracewire'), 'dir');
    symlinkSync(join(ROOT, 'node_modules/reflect-metadata'), join(dir, 'node_modules/reflect-metadata'), 'dir');
    writeFileSync(join(dir, 'sample.js'), SAMPLE);
    pristine = snapshot(dir);
    baseline = tscErrors(dir, false);
    expected = JSON.parse(node(dir, 'sample.js', dirname(require.resolve('rxjs/package.json', { paths: [ROOT] }))));
  }, 180_000);
  afterAll(() => removeProject(dir));

  test.each([
    { mode: 'experimentalDecorators + emitDecoratorMetadata', legacy: true },
    { mode: 'TC39 decorators', legacy: false },
  ])(
    '$mode: same tsc errors as the pristine sources without and with --functions; the output loads, is traced and behaves like the published rxjs; a second run changes nothing; --remove restores every byte',
    async ({ legacy }) => {
      writeTsconfig(dir, legacy);
      const methods = await runCli(dir, 'instrument', '--write', '--quiet');
      expect(methods.stderr).toBe('');
      expect(methods.code).toBe(0);
      expect(Number(/\((\d+) additions\)/.exec(methods.stdout)![1])).toBeGreaterThanOrEqual(100);
      expect(tscErrors(dir, false)).toEqual(baseline);
      expect((await runCli(dir, 'instrument', '--check')).code).toBe(0);

      // --functions on top: what is already there stays, the exported functions join.
      const functions = await runCli(dir, 'instrument', '--write', '--functions', '--quiet');
      expect(functions.code).toBe(0);
      expect(Number(/\((\d+) additions\)/.exec(functions.stdout)![1])).toBeGreaterThanOrEqual(200);
      expect(tscErrors(dir, true)).toEqual(baseline);
      const actual = JSON.parse(node(dir, 'sample.js', join(dir, 'out/index.js'), 'traced')) as Record<string, unknown>;
      expect(actual['spans']).toBe(true);
      delete actual['spans'];
      expect(actual).toEqual(expected);
      expect((await runCli(dir, 'instrument', '--check', '--functions')).code).toBe(0);

      expect((await runCli(dir, 'instrument', '--remove', '--write', '--functions')).code).toBe(0);
      expectSameTree(dir, pristine);
    },
    240_000,
  );
});
