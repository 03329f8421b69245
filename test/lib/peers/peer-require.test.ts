import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeerNotFoundError, requirePeer } from '../../../lib/peers/peer-require';

/**
 * A peer is looked up from the app's entry file first (symlinks followed, as
 * Node does for the main module), then the working directory, then
 * tracewire's own location. The app here is a directory of its own with the
 * peer in its node_modules, which neither the working directory nor
 * tracewire can see.
 */
const PEER = 'tracewire-probe-peer';
let dir: string;
let savedEntry: string;

/**
 * The app's entry is `require.main.filename` (under jest, this test file's
 * module), else `process.argv[1]`: the test points the first at the app.
 */
function setEntry(file: string): void {
  (module as { filename: string }).filename = file;
}

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'tw-peer-')));
  mkdirSync(join(dir, 'app/node_modules', PEER), { recursive: true });
  writeFileSync(join(dir, 'app/node_modules', PEER, 'index.js'), "module.exports = { from: 'the app' };");
  mkdirSync(join(dir, 'app/node_modules/tracewire-broken-peer'), { recursive: true });
  writeFileSync(join(dir, 'app/node_modules/tracewire-broken-peer/index.js'), "throw new Error('broken at load');");
  writeFileSync(join(dir, 'app/entry.js'), '');
  mkdirSync(join(dir, 'elsewhere'));
  symlinkSync(join(dir, 'app/entry.js'), join(dir, 'elsewhere/entry.js'));
  savedEntry = module.filename;
});

afterEach(() => {
  setEntry(savedEntry);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a peer installed only beside the app's entry file is found from there", () => {
  setEntry(join(dir, 'app/entry.js'));
  expect(requirePeer(PEER)).toEqual({ from: 'the app' });
});

test('an entry reached through a symlink is followed to the real file, whose node_modules count', () => {
  setEntry(join(dir, 'elsewhere/entry.js'));
  expect(requirePeer(PEER)).toEqual({ from: 'the app' });
});

test('a peer found nowhere fails naming every place looked in; an empty entry is not one of them', () => {
  const argv1 = process.argv[1];
  setEntry('');
  process.argv[1] = '';
  let error: unknown;
  try {
    requirePeer(PEER);
  } catch (caught) {
    error = caught;
  }
  process.argv[1] = argv1;
  expect(error).toBeInstanceOf(PeerNotFoundError);
  expect((error as PeerNotFoundError).searched).toEqual([`the working directory ${process.cwd()}`, "tracewire's own location"]);
  expect((error as Error).message).toBe(`cannot find "${PEER}" from the working directory ${process.cwd()}, tracewire's own location`);
});

test('an error thrown while loading a peer that was found propagates as it is', () => {
  setEntry(join(dir, 'app/entry.js'));
  expect(() => requirePeer('tracewire-broken-peer')).toThrow('broken at load');
});
