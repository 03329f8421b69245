/**
 * A small glob matcher for `--exclude` (`**`, `*`, `?`, `{a,b}`), because
 * Node 20 has no `path.matchesGlob` and the CLI takes no dependencies beyond
 * ts-morph. A pattern without `/` matches a file's base name, as in .gitignore.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        source += '(?:.*/)?';
      } else source += '.*';
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{' && glob.indexOf('}', i) > i) {
      const close = glob.indexOf('}', i);
      source += `(?:${glob.slice(i + 1, close).split(',').map(escape).join('|')})`;
      i = close;
    } else source += escape(c);
  }
  return new RegExp(`^${source}$`);
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
}

/** True when `relativePath` (posix separators) matches one of `globs`. */
export function matchesAny(relativePath: string, globs: readonly RegExp[], rawGlobs: readonly string[]): boolean {
  const base = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  return globs.some((re, i) => re.test(rawGlobs[i]!.includes('/') ? relativePath.replace(/^\.\//, '') : base));
}

/** True when the text has glob syntax (so a missing path is not an error). */
export function isGlob(text: string): boolean {
  return /[*?{]/.test(text);
}
