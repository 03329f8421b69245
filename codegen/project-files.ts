import { existsSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { Project, type SourceFile } from 'ts-morph';
import { globToRegExp, isGlob, matchesAny } from './glob.js';
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

/** The loaded files (syntax only) and the decorator mode the project compiles with. */
export interface LoadedProject {
  readonly files: SourceFile[];
  readonly legacyDecorators: boolean;
}

const SOURCE_GLOB = '**/*.{ts,tsx,mts,cts}';

/**
 * Loads the project's files without resolving imports or type-checking:
 * positional paths and `--include` globs when given (directories mean every
 * TypeScript file under them), else the tsconfig's own file list; then drops
 * `--exclude` matches and anything under node_modules.
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
  const project = hasConfig
    ? new Project({ tsConfigFilePath, skipFileDependencyResolution: true, skipAddingFilesFromTsConfig: explicit })
    : new Project({ skipFileDependencyResolution: true, compilerOptions: {} });
  if (explicit) project.addSourceFilesAtPaths(patterns(selection));
  const excludes = selection.exclude.map(globToRegExp);
  const files = project.getSourceFiles().filter((file) => {
    const path = relative(selection.cwd, file.getFilePath()).split(sep).join('/');
    return !path.split('/').includes('node_modules') && !matchesAny(path, excludes, selection.exclude);
  });
  return { files, legacyDecorators: project.getCompilerOptions().experimentalDecorators === true };
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
