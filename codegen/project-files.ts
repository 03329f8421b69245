import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { Project, ts, type SourceFile } from 'ts-morph';
import { gitIgnored } from './git.js';
import { globMatcher, isGlob } from './glob.js';
import { typescriptEslintInstalled } from './lint-tools.js';
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

/** The compiler settings, and the project's tools, that change what may be written into a file. */
export interface ProjectSettings {
  readonly legacyDecorators: boolean;
  readonly decoratorMetadata: boolean;
  /** `moduleDetection: "force"`. */
  readonly forceModules: boolean;
  /** `isolatedDeclarations`: a property's type must be readable without inference. */
  readonly isolatedDeclarations?: boolean;
  /** `noUnusedParameters`: a forwarder's parameters, which it passes on as `arguments`, are named unused. */
  readonly noUnusedParameters?: boolean;
  /** The lib has no `Reflect` (ES5, or `noLib`): a forwarder calls `.apply` instead of `Reflect.apply`. */
  readonly noReflect?: boolean;
  /** `verbatimModuleSyntax`: a CommonJS file (.cts) takes no ES import. */
  readonly verbatimModuleSyntax?: boolean;
  /** typescript-eslint is installed for the project: a forwarder's parameters carry a directive for its `no-unused-vars`. */
  readonly typescriptEslint?: boolean;
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
 * TypeScript's "The 'files' list in config file is empty" (a solution-style tsconfig: `"files": []` and references)
 * and "No inputs were found in config file": still tsconfigs, which select no files of their own.
 */
const NO_FILES_OF_ITS_OWN = [18002, 18003];

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
  const fallback = configs[0]?.settings ?? { legacyDecorators: false, decoratorMetadata: false, forceModules: false, typescriptEslint: typescriptEslintInstalled(selection.cwd) };
  const project = new Project({ skipFileDependencyResolution: true, compilerOptions: { allowJs: true } });
  if (explicit) {
    const globs = patterns(selection);
    try {
      project.addSourceFilesAtPaths(globs);
    } catch (error) {
      // The file walk's glob library refuses a pattern once made absolute (`\\` becomes an empty one): said as the glob's.
      if (!(error instanceof TypeError && /pattern/i.test(error.message))) throw error;
      throw new CodegenUsageError(`the paths and --include globs (${[...selection.paths, ...selection.include].map((g) => JSON.stringify(g)).join(', ')}) hold one the file walk cannot read: ${error.message}.`);
    }
  } else for (const config of configs) for (const file of config.fileNames) project.addSourceFileAtPathIfExists(file);
  const excluded = globMatcher(selection.exclude);
  const candidates = project.getSourceFiles().filter((file) => {
    const path = relative(selection.cwd, file.getFilePath()).split(sep).join('/');
    // Where it would be written, too: a symlinked directory may lead into node_modules (write-results.ts writes the real path).
    return !path.split('/').includes('node_modules') && !inNodeModules(file.getFilePath()) && !excluded(path);
  });
  const ignored = gitIgnored(selection.cwd, candidates.map((f) => f.getFilePath()));
  // One file reached by two paths (a symlinked directory beside the real one) is changed once: the second would be
  // computed from the original text, written over the first, and counted twice.
  const seen = new Set<string>();
  const once = (file: SourceFile): boolean => {
    const real = realPath(file.getFilePath());
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  };
  const files = candidates
    .filter((f) => !ignored.has(f.getFilePath()) && once(f))
    .map((sourceFile) => {
      const absolute = sourceFile.getFilePath();
      const settings = configs.find((c) => c.fileNames.has(absolute))?.settings ?? fallback;
      return { sourceFile, path: relative(selection.cwd, absolute).split(sep).join('/'), settings };
    });
  return { files, ignored: ignored.size };
}

/** Whether the file's real path (symlinks resolved) lies under a node_modules directory. */
function inNodeModules(path: string): boolean {
  return realPath(path).split(sep).includes('node_modules');
}

/** The path with symlinks resolved; the path itself when it cannot be (a dangling link is skipped later). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The tsconfig at `path` and, depth first, every project it references (each once). */
function readConfigs(path: string, seen = new Set<string>()): Config[] {
  if (seen.has(path)) return [];
  seen.add(path);
  let unrecoverable: ts.Diagnostic | undefined;
  const parsed = ts.getParsedCommandLineOfConfigFile(path, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => void (unrecoverable = diagnostic) });
  // A file that is no tsconfig (a .ts given to --project), JSON errors, a missing `extends`: its decorator mode would be
  // guessed from defaults, and the files decorated for the wrong one (TS1206).
  const error = unrecoverable ?? parsed?.errors.find((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error && !NO_FILES_OF_ITS_OWN.includes(diagnostic.code));
  if (parsed === undefined || error !== undefined) {
    const reason = error === undefined ? 'it could not be parsed' : ts.flattenDiagnosticMessageText(error.messageText, ' ');
    throw new CodegenUsageError(`${path}: could not be read as a tsconfig.json (${reason}). Point --project at a tsconfig.json.`);
  }
  const options = parsed.options;
  const own: Config = {
    path,
    fileNames: new Set(parsed.fileNames.map((f) => resolve(f))),
    settings: {
      legacyDecorators: options.experimentalDecorators === true,
      decoratorMetadata: options.emitDecoratorMetadata === true,
      forceModules: options.moduleDetection === ts.ModuleDetectionKind.Force,
      isolatedDeclarations: options.isolatedDeclarations === true,
      noUnusedParameters: options.noUnusedParameters === true,
      noReflect: !libDeclaresReflect(options),
      verbatimModuleSyntax: options.verbatimModuleSyntax === true,
      typescriptEslint: typescriptEslintInstalled(dirname(path)),
    },
  };
  const referenced = (parsed.projectReferences ?? []).flatMap((ref) => {
    const target = existsSync(ref.path) && statSync(ref.path).isDirectory() ? resolve(ref.path, 'tsconfig.json') : resolve(ref.path);
    return existsSync(target) ? readConfigs(target, seen) : [];
  });
  return [own, ...referenced];
}

/** Whether the lib the project compiles with declares `Reflect` (ES2015 and later do; a target's default lib counts). */
function libDeclaresReflect(options: ts.CompilerOptions): boolean {
  if (options.noLib === true) return false;
  const libs = options.lib ?? [ts.getDefaultLibFileName(options)];
  return libs.some((lib) => /(^|[\\/])lib\.(es6|es2015\.reflect|es20\d\d(\.full)?|esnext(\.full)?)\.d\.ts$/.test(lib));
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
