import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * The built package carries its own copy of rxjs; a traced Observable is made
 * with the program's own Observable class, so the program's rxjs `config`
 * applies to it and `subscribe()` returns the program's Subscription, as
 * untraced. Before, an error thrown in a subscriber's callback went past the
 * program's `config.onUnhandledError` (tracewire's copy's `config` was read)
 * and ended the process as an uncaught exception. In a child process: under
 * jest, tracewire's sources and the test share one rxjs.
 */
const SCRIPT = `
const rxjs = require('rxjs');
const { traceable, TracingClient, MemoryExporter, setGlobalTracingClient } = require(process.argv[1]);
setGlobalTracingClient(new TracingClient({ exporter: new MemoryExporter() }));
const seen = [];
rxjs.config.onUnhandledError = (error) => seen.push('onUnhandledError: ' + error.message);
process.on('uncaughtException', (error) => seen.push('uncaught: ' + error.message));
const results = {};
for (const traced of [false, true]) {
  const make = () => rxjs.of(1);
  const open = traced ? traceable(make, { name: 'open' }) : make;
  const subscription = open().subscribe(() => { throw new Error(traced ? 'traced' : 'untraced'); });
  results[traced ? 'traced' : 'untraced'] = subscription instanceof rxjs.Subscription;
}
setTimeout(() => console.log(JSON.stringify({ seen, results })), 50);
`;

test("an error thrown in a traced Observable's subscriber goes to the program's rxjs config.onUnhandledError, and subscribe() returns the program's Subscription, as untraced", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', SCRIPT, BUILT_ENTRY], { timeout: 20_000 });
  expect(JSON.parse(stdout)).toEqual({ seen: ['onUnhandledError: untraced', 'onUnhandledError: traced'], results: { untraced: true, traced: true } });
});
