import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '../..');

/** A fresh project with packed packages installed, as a user's `npm install` leaves it. */
export interface PackedProject {
  readonly dir: string;
  /** The files of each packed tarball, by package name. */
  readonly packedFiles: Readonly<Record<string, string[]>>;
  /** Each packed tarball's path, by package name. */
  readonly tarballs: Readonly<Record<string, string>>;
}

/**
 * `npm pack`s each package folder (the app's own `appDependencies` installed beside them) (already built: packing runs no scripts)
 * and installs the tarballs together into a new, empty project, from npm's
 * cache where it can (`--prefer-offline`). Install scripts do not run — a
 * native dependency would try to download a prebuilt binary — so each
 * native module gets the binary this checkout's `npm ci` already built for
 * this Node (same package version, checked).
 */
export function installPacked(packageDirs: readonly string[], appDependencies: Readonly<Record<string, string>> = {}): PackedProject {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-consumer-'));
  const packedFiles: Record<string, string[]> = {};
  const tarballByName: Record<string, string> = {};
  const tarballs = packageDirs.map((packageDir) => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ) as [{ name: string; filename: string; files: { path: string }[] }];
    packedFiles[packed.name] = packed.files.map((file) => file.path);
    return (tarballByName[packed.name] = join(dir, packed.filename));
  });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: appDependencies }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', ...tarballs], { cwd: dir, stdio: 'pipe', timeout: 600_000 }); // generous: under nice beside CPU-bound work this install took over 150 s
  copyNativeBuilds(dir);
  return { dir, packedFiles, tarballs: tarballByName };
}

function copyNativeBuilds(dir: string): void {
  const modules = join(dir, 'node_modules');
  for (const name of readdirSync(modules)) {
    const installed = join(modules, name);
    if (!existsSync(join(installed, 'binding.gyp')) || existsSync(join(installed, 'build'))) continue;
    const built = join(repo, 'node_modules', name);
    const version = (path: string) => (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { version: string }).version;
    if (!existsSync(join(built, 'build/Release')) || version(built) !== version(installed)) {
      throw new Error(`${name} ${version(installed)} needs a native build this checkout does not have (it has ${existsSync(built) ? version(built) : 'none'})`);
    }
    cpSync(join(built, 'build/Release'), join(installed, 'build/Release'), { recursive: true, filter: (path) => !/\/obj(\.target)?(\/|$)/.test(path) });
  }
}
