/** Where the CLI talks: injected so tests can capture it. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Rewrites one status line (TTY only); '' clears it. */
  readonly progress: (line: string) => void;
  readonly isTTY: boolean;
}

/** The real process streams. */
export function processIo(): Io {
  const tty = process.stderr.isTTY === true;
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    progress: (line) => process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 80) - 1)}`),
    isTTY: tty,
  };
}
