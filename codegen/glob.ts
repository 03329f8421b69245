import picomatch from 'picomatch';
import { CodegenUsageError } from './usage-error.js';

/** Tests a `/`-separated relative path. */
export type GlobMatcher = (path: string) => boolean;

/**
 * One matcher for several globs (any match counts), with picomatch's
 * syntax (`**`, `*`, `?`, `{a,b}`, `[abc]`, extglobs). As in .gitignore, a
 * glob without `/` matches a path's base name; dot-files are not special.
 */
export function globMatcher(globs: readonly string[]): GlobMatcher {
  const matchers = globs.map((glob) => {
    try {
      return picomatch(glob, { dot: true, basename: !glob.includes('/') });
    } catch (error) {
      // picomatch's own TypeError ("Expected pattern to be a non-empty string" for `\\`), said as the glob's.
      throw new CodegenUsageError(`${JSON.stringify(glob)} is not a glob picomatch can read (${(error as Error).message}).`);
    }
  });
  return (path) => {
    const clean = path.replace(/^\.\//, '');
    return matchers.some((match) => match(clean));
  };
}

/** True when the text has glob syntax (so a missing path is not an error). */
export function isGlob(text: string): boolean {
  return picomatch.scan(text).isGlob;
}
