import { spawn, type ChildProcess } from 'node:child_process';

/** A running `tracewire serve`, with the URL its banner announced. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed on stdout so far. */
  banner: string;
  /** Everything it printed on stderr so far. */
  stderr: string;
  stop(): Promise<number | null>;
}

/**
 * Starts `command args` (a `tracewire serve …`) and resolves once its banner
 * names the URL it listens on; rejects with everything it printed if it
 * exits or stays silent for 30 s first.
 */
export function startServe(command: string, args: string[], cwd: string): Promise<ServeProcess> {
  // A process group of its own: `npx` runs the server as its child, and killing npx alone would leave that server running.
  const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
  };
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code, signal) => done(code ?? (signal === 'SIGTERM' ? 0 : null))));
  return new Promise((resolve, reject) => {
    const giveUp = setTimeout(() => fail('printed no URL within 30 s'), 30_000);
    const fail = (why: string): void => {
      clearTimeout(giveUp);
      killGroup('SIGKILL');
      reject(new Error(`tracewire serve ${why}:\n${out}\n${err}`));
    };
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url === undefined || !/viewer:/.test(out)) return;
      clearTimeout(giveUp);
      resolve({
        child,
        url,
        get banner() {
          return out;
        },
        get stderr() {
          return err;
        },
        stop: () => {
          killGroup('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => fail(`exited (${code})`));
  });
}
