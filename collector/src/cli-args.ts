import type { CollectorOptions } from './options.js';

/** Thrown for a command line the collector cannot run; the message says what to type instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: tracewire-collector serve [--port 4319] [--host 127.0.0.1] [--db ./tracewire.sqlite | --memory]
                                [--token <token>] [--max-traces <n>] [--max-body-bytes <n>] [--max-buffered-bytes <n>]
                                [--allow-host <name>]...   (answer requests naming this Host too; '*' = any)`;

const VALUED = new Set(['--port', '--host', '--db', '--token', '--max-traces', '--max-body-bytes', '--max-buffered-bytes', '--allow-host']);

/** `serve` and its flags (`--flag value` or `--flag=value`) as collector options. */
export function parseCliArgs(argv: readonly string[]): CollectorOptions {
  const [command, ...rest] = argv;
  if (command !== 'serve') throw new UsageError(command === undefined ? 'No command given' : `Unknown command ${JSON.stringify(command)}`);
  const options: CollectorOptions = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (flag === '--memory') {
      options.memory = true;
      continue;
    }
    if (!VALUED.has(flag)) throw new UsageError(`Unknown option ${JSON.stringify(arg)}`);
    const value = eq === -1 ? rest[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    // An empty host binds every interface (Node reads "" as none given): the opposite of what the default keeps safe.
    if (value.trim() === '') throw new UsageError(`${flag} needs a value, got an empty one`);
    if (flag === '--host') options.host = value;
    else if (flag === '--db') options.db = value;
    else if (flag === '--token') {
      // What a client can send as its key (tracewire's exporters refuse any other): a token with a space would lock every client out.
      if (!/^[\x21-\x7e]+$/.test(value)) throw new UsageError('--token must be printable ASCII without spaces (clients send it as a header)');
      options.token = value;
    }
    else if (flag === '--allow-host') (options.allowedHosts ??= []).push(value);
    else {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new UsageError(`${flag} needs an integer, got ${JSON.stringify(value)}`);
      if (flag === '--port') options.port = n;
      else if (flag === '--max-traces') options.maxTraces = n;
      else if (flag === '--max-buffered-bytes') options.maxBufferedBytes = n;
      else options.maxBodyBytes = n;
    }
  }
  if (options.memory === true && options.db !== undefined) throw new UsageError('--db and --memory exclude each other');
  return options;
}
