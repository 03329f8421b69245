import { existsSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { Project, ts, type SourceFile } from 'ts-morph';
import { gitIgnored } from './git.js';
import { globMatcher, isGlob } from './glob.js';
import { CodegenUsageError } from './usage-error.js';

/** Which files to instrument, as the command line says. */
export interface Selection {
  readonly cwd: string;
  /** `--project`; undefined means `./tsconfig.json` if it exists. */
  readonly project?: string;
  readonly paths: readonly string[];
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/** The compiler settings that change what may be written into a file. */
export interface ProjectSettings {
  readonly legacyDecorators: boolean;
  readonly decoratorMetadata: boolean;
  /** `moduleDetection: "force"`. */
  readonly forceModules: boolean;
  /** `isolatedDeclarations`: a property's type must be readable without inference. */
  readonly isolatedDeclarations?: boolean;
}

/** One file to look at, with the settings of the tsconfig it belongs to. */
export interface SelectedFile {
  readonly sourceFile: SourceFile;
  /** Relative to the working directory, `/`-separated. */
  readonly path: string;
  readonly settings: ProjectSettings;
}

/** The loaded files (syntax only), and what was left out on the way. */
export interface LoadedProject {
  readonly files: SelectedFile[];
  /** Files the selection named but .gitignore excludes. */
  readonly ignored: number;
}

interface Config {
  readonly path: string;
  readonly fileNames: ReadonlySet<string>;
  readonly settings: ProjectSettings;
}

const SOURCE_GLOB = '**/*.{ts,tsx,mts,cts}';

/**
 * Loads the selected files without resolving imports or type-checking:
 * positional paths and `--include` globs when given (directories mean every
 * TypeScript file under them), else the tsconfig's own files — and those of
 * every project it references (a solution-style tsconfig lists none itself).
 * Then drops `--exclude` matches, anything under node_modules, and what
 * .gitignore excludes. Each file gets the decorator settings of the first
 * tsconfig that lists it.
 */
export function loadProject(selection: Selection): LoadedProject {
  const tsConfigFilePath = resolve(selection.cwd, selection.project ?? 'tsconfig.json');
  const hasConfig = existsSync(tsConfigFilePath);
  if (!hasConfig && selection.project !== undefined) {
    throw new CodegenUsageError(`--project ${selection.project}: no such file. Point it at a tsconfig.json, or leave it out to use ./tsconfig.json.`);
  }
  const explicit = selection.paths.length > 0 || selection.include.length > 0;
  if (!hasConfig && !explicit) {
    throw new CodegenUsageError(`no ./tsconfig.json in ${selection.cwd}: pass --project <tsconfig.json>, or the files to instrument (paths or --include globs).`);
  }
  const configs = hasConfig ? readConfigs(tsConfigFilePath) : [];
  const fallback = configs[0]?.settings ?? { legacyDecorators: false, decoratorMetadata: false, forceModules: false };
  const project = new Project({ skipFileDependencyResolution: true, compilerOptions: { allowJs: true } });
  if (explicit) project.addSourceFilesAtPaths(patterns(selection));
  else for (const config of configs) for (const file of config.fileNames) project.addSourceFileAtPathIfExists(file);
  const excluded = globMatcher(selection.exclude);
  const candidates = project.getSourceFiles().filter((file) => {
    const path = relative(selection.cwd, file.getFilePath()).split(sep).join('/');
    return !path.split('/').includes('node_modules') && !excluded(path);
  });
  const ignored = gitIgnored(selection.cwd, candidates.map((f) => f.getFilePath()));
  const files = candidates
    .filter((f) => !ignored.has(f.getFilePath()))
    .map((sourceFile) => {
      const absolute = sourceFile.getFilePath();
      const settings = configs.find((c) => c.fileNames.has(absolute))?.settings ?? fallback;
      return { sourceFile, path: relative(selection.cwd, absolute).split(sep).join('/'), settings };
    });
  return { files, ignored: ignored.size };
}

/** The tsconfig at `path` and, depth first, every project it references (each once). */
function readConfigs(path: string, seen = new Set<string>()): Config[] {
  if (seen.has(path)) return [];
  seen.add(path);
  const parsed = ts.getParsedCommandLineOfConfigFile(path, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (parsed === undefined) throw new CodegenUsageError(`${path}: could not be read as a tsconfig.json.`);
  const options = parsed.options;
  const own: Config = {
    path,
    fileNames: new Set(parsed.fileNames.map((f) => resolve(f))),
    settings: {
      legacyDecorators: options.experimentalDecorators === true,
      decoratorMetadata: options.emitDecoratorMetadata === true,
      forceModules: options.moduleDetection === ts.ModuleDetectionKind.Force,
      isolatedDeclarations: options.isolatedDeclarations === true,
    },
  };
  const referenced = (parsed.projectReferences ?? []).flatMap((ref) => {
    const target = existsSync(ref.path) && statSync(ref.path).isDirectory() ? resolve(ref.path, 'tsconfig.json') : resolve(ref.path);
    return existsSync(target) ? readConfigs(target, seen) : [];
  });
  return [own, ...referenced];
}

function patterns(selection: Selection): string[] {
  const out: string[] = [];
  for (const path of selection.paths) {
    const absolute = resolve(selection.cwd, path);
    if (existsSync(absolute)) out.push(statSync(absolute).isDirectory() ? `${absolute.split(sep).join('/')}/${SOURCE_GLOB}` : absolute);
    else if (isGlob(path)) out.push(resolve(selection.cwd, path).split(sep).join('/'));
    else throw new CodegenUsageError(`${path}: no such file or directory.`);
  }
  for (const glob of selection.include) out.push(resolve(selection.cwd, glob).split(sep).join('/'));
  return out;
}
