'use strict';
/**
 * bench/codegen.js — throughput of `tracewire instrument` on a large project.
 *
 *   node bench/codegen.js            (compiles codegen/ with tsc into a temp dir first)
 *
 * Generates FILES files × METHODS methods each (one class per file) in a temp
 * project, then runs the CLI — each run in a fresh child process so peak RSS
 * is that run's own — as a dry run and with --write. Reports files/s (whole
 * run: loading the project, parsing, computing edits, writing) and peak RSS
 * (process.resourceUsage().maxRSS). Target: ≥ 300 files/s on a 2-core box.
 */
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ROOT, machine } = require('./support/machine');

const FILES = 1000;
const METHODS = 10;
const TARGET_FILES_PER_S = 300;

function generate(dir) {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  const compilerOptions = { target: 'ES2022', module: 'commonjs', strict: true, experimentalDecorators: true };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src/**/*.ts'] }));
  for (let f = 0; f < FILES; f++) {
    const methods = Array.from({ length: METHODS }, (_, m) => `  /** Method ${m}. */\n  async m${m}(x: number): Promise<number> {\n    return x + ${m};\n  }\n`).join('\n');
    fs.writeFileSync(path.join(dir, 'src', `service${f}.ts`), `import { dep } from './dep';\n\nexport class Service${f} {\n${methods}}\n`);
  }
}

function runCli(out, cwd, args) {
  const script = `const { main } = require(${JSON.stringify(path.join(out, 'cli.js'))});
const io = { stdout: () => {}, stderr: (t) => process.stderr.write(t), progress: () => {}, isTTY: false };
const t0 = process.hrtime.bigint();
main(${JSON.stringify(args)}, io, process.cwd()).then((code) => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({ code, ms, maxRssKb: process.resourceUsage().maxRSS }));
});`;
  const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') };
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd, env, encoding: 'utf8' }));
}

function main() {
  const m = machine();
  console.log(`bench/codegen.js — node ${m.node}, ${m.platform} ${m.arch}, ${m.cores} × ${m.cpuModel}, ${Math.round(m.memGiB)} GiB`);
  console.log(`project: ${FILES} files × ${METHODS} methods\n`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracewire-bench-codegen-'));
  const out = path.join(tmp, 'codegen-out');
  const project = path.join(tmp, 'project');
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'codegen/tsconfig.json'), '--outDir', out]);
    generate(project);
    const rows = [
      ['dry run', runCli(out, project, ['instrument'])],
      ['--write', runCli(out, project, ['instrument', '--write'])],
      ['--check (clean)', runCli(out, project, ['instrument', '--check'])],
    ];
    const changed = fs.readFileSync(path.join(project, 'src/service0.ts'), 'utf8').split('@Traceable()').length - 1;
    console.log('run              exit   seconds   files/s   peak RSS MiB');
    let pass = changed === METHODS;
    for (const [name, r] of rows) {
      const rate = FILES / (r.ms / 1000);
      if (name !== '--check (clean)' && rate < TARGET_FILES_PER_S) pass = false;
      console.log(`${name.padEnd(16)} ${String(r.code).padStart(4)} ${(r.ms / 1000).toFixed(2).padStart(9)} ${rate.toFixed(0).padStart(9)} ${(r.maxRssKb / 1024).toFixed(0).padStart(14)}`);
    }
    console.log(`\ndecorators in service0.ts after --write: ${changed}/${METHODS}`);
    console.log(`${pass ? 'PASS' : 'FAIL'}: target ≥ ${TARGET_FILES_PER_S} files/s for dry run and --write`);
    process.exitCode = pass ? 0 : 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
