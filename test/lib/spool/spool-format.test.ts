import { claimedName, decodeBatch, encodeBatch, newSpoolName, parseSpoolEntry } from '../../../lib/spool/spool-format';

/**
 * The spool's file names and contents: what a replay takes for a spool file
 * (and in which state), and what it takes for a well-formed batch. A name or
 * a file it misreads is replayed when it should not be, or never.
 */

const NAME = '1733140000000-000042-0123456789abcdef.json';
const DESTINED = '1733140000000-000042-0123456789abcdef-fedcba9876543210.json';

describe('file names', () => {
  test.each([
    [NAME, { state: 'ready', file: NAME, name: NAME, destination: '' }],
    [`${NAME}.tmp`, { state: 'temp', file: `${NAME}.tmp`, name: NAME, destination: '' }],
    // As claimed before 2026-12-08: no host.
    [`${NAME}.claimed-4242-1733140000123`, { state: 'claimed', file: `${NAME}.claimed-4242-1733140000123`, name: NAME, destination: '', claimedAt: 1733140000123, pid: 4242, host: undefined }],
    [`${NAME}.claimed-4242-1733140000123-0a1b2c3d`, { state: 'claimed', file: `${NAME}.claimed-4242-1733140000123-0a1b2c3d`, name: NAME, destination: '', claimedAt: 1733140000123, pid: 4242, host: '0a1b2c3d' }],
    [DESTINED, { state: 'ready', file: DESTINED, name: DESTINED, destination: 'fedcba9876543210' }],
    [`${DESTINED}.tmp`, { state: 'temp', file: `${DESTINED}.tmp`, name: DESTINED, destination: 'fedcba9876543210' }],
    [`${DESTINED}.claimed-4242-1733140000123-0a1b2c3d`, { state: 'claimed', file: `${DESTINED}.claimed-4242-1733140000123-0a1b2c3d`, name: DESTINED, destination: 'fedcba9876543210', claimedAt: 1733140000123, pid: 4242, host: '0a1b2c3d' }],
  ])('%s is a spool file', (file, entry) => {
    expect(parseSpoolEntry(file)).toEqual(entry);
  });

  test.each([
    ['a prefix', `x${NAME}`],
    ['a suffix', `${NAME}.bak`],
    ['12-digit millis', NAME.slice(1)],
    ['non-digit millis', `a${NAME.slice(1)}`],
    ['a 5-digit sequence', '1733140000000-00042-0123456789abcdef.json'],
    ['a non-digit sequence', '1733140000000-00004a-0123456789abcdef.json'],
    ['15 random digits', '1733140000000-000042-123456789abcdef.json'],
    ['upper-case random digits', '1733140000000-000042-0123456789ABCDEF.json'],
    ['another extension', '1733140000000-000042-0123456789abcdef.jsonl'],
    ['a 15-digit destination', '1733140000000-000042-0123456789abcdef-edcba9876543210.json'],
    ['an upper-case destination', '1733140000000-000042-0123456789abcdef-FEDCBA9876543210.json'],
    ['an empty destination', '1733140000000-000042-0123456789abcdef-.json'],
    ['a set-aside corrupt file', `${NAME}.corrupt`],
    ['a temp file with a prefix', `x${NAME}.tmp`],
    ['a temp file with a suffix', `${NAME}.tmp.1`],
    ['a temp file of a bad name', `${NAME.slice(1)}.tmp`],
    ['a claim with a prefix', `x${NAME}.claimed-1-2`],
    ['a claim with a suffix', `${NAME}.claimed-1-2x`],
    ['a claim without a time', `${NAME}.claimed-1-`],
    ['a claim with a non-digit pid', `${NAME}.claimed-p-2`],
    ['a claim with a non-digit time', `${NAME}.claimed-1-t`],
    ['a claim of a bad name', `${NAME.slice(1)}.claimed-1-2`],
  ])('not a spool file: %s', (_what, file) => {
    expect(parseSpoolEntry(file)).toBeUndefined();
  });

  test('a new name: 13-digit millis, a 6-digit sequence one up from the last, 16 random hex digits, the destination when there is one', () => {
    const first = newSpoolName('', 5);
    const second = newSpoolName('', 5);
    expect(first).toMatch(/^0000000000005-\d{6}-[0-9a-f]{16}\.json$/);
    expect(parseSpoolEntry(first)).toEqual({ state: 'ready', file: first, name: first, destination: '' });
    const destined = newSpoolName('fedcba9876543210', 5);
    expect(destined).toMatch(/^0000000000005-\d{6}-[0-9a-f]{16}-fedcba9876543210\.json$/);
    expect(parseSpoolEntry(destined)).toEqual({ state: 'ready', file: destined, name: destined, destination: 'fedcba9876543210' });
    const sequence = (name: string) => Number(name.split('-')[1]);
    expect(sequence(second)).toBe((sequence(first) + 1) % 1_000_000);
    expect(second.slice(-21, -5)).not.toBe(first.slice(-21, -5));
    expect(newSpoolName('')).toMatch(new RegExp(`^${String(Date.now()).slice(0, 8)}\\d{5}-`)); // now by default
  });

  test('the sequence wraps after 999999, staying six digits', () => {
    let last = newSpoolName('', 1);
    for (let i = 0; i < 1_000_000 && !last.startsWith('0000000000001-999999-'); i++) last = newSpoolName('', 1);
    expect(last).toMatch(/^0000000000001-999999-/);
    expect(newSpoolName('', 1)).toMatch(/^0000000000001-000000-[0-9a-f]{16}\.json$/);
  });

  test('a claimed name carries the claiming process, the claim time and the host, and reads back as a claim of the name', () => {
    const claimed = claimedName(NAME, 1733140000999);
    expect(claimed).toMatch(new RegExp(`^${NAME.replace(/\./g, '\\.')}\\.claimed-${process.pid}-1733140000999-[0-9a-f]{8}$`));
    expect(parseSpoolEntry(claimed)).toEqual({ state: 'claimed', file: claimed, name: NAME, destination: '', claimedAt: 1733140000999, pid: process.pid, host: claimed.slice(-8) });
    const before = Date.now();
    const claimedAt = (parseSpoolEntry(claimedName(NAME)) as { claimedAt: number }).claimedAt;
    expect(claimedAt).toBeGreaterThanOrEqual(before);
    expect(claimedAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('file contents', () => {
  const post = [{ id: 'a', name: 'é — 😀', inputs: { text: 'x' } }];
  const patch = [{ id: 'b', end_time: '2025-01-01T00:00:01.000000Z' }];

  test('a batch is written as its version, posts and patches only, and read back field by field', () => {
    const text = encodeBatch({ post, patch } as never);
    expect(JSON.parse(text)).toEqual({ v: 1, post, patch });
    expect(decodeBatch(text)).toEqual({ post, patch });
    expect(decodeBatch(JSON.stringify({ v: 1, post: [], patch: [] }))).toEqual({ post: [], patch: [] });
  });

  test.each([
    ['not JSON', '{"v":1,"post":[{"id":"half-writ'],
    ['empty', ''],
    ['null', 'null'],
    ['a number', '1'],
    ['a string', '"text"'],
    ['an array', '[]'],
    ['no version', JSON.stringify({ post, patch })],
    ['another version', JSON.stringify({ v: 2, post, patch })],
    ['the version as text', JSON.stringify({ v: '1', post, patch })],
    ['no posts', JSON.stringify({ v: 1, patch })],
    ['no patches', JSON.stringify({ v: 1, post })],
    ['posts not a list', JSON.stringify({ v: 1, post: { id: 'a' }, patch })],
    ['patches not a list', JSON.stringify({ v: 1, post, patch: 'b' })],
    ['a null post', JSON.stringify({ v: 1, post: [...post, null], patch })],
    ['a post that is a string', JSON.stringify({ v: 1, post: ['a'], patch })],
    ['a post without an id', JSON.stringify({ v: 1, post: [...post, { name: 'x' }], patch })],
    ['a post whose id is a number', JSON.stringify({ v: 1, post: [{ id: 7 }], patch })],
    ['a null patch', JSON.stringify({ v: 1, post, patch: [null] })],
    ['a patch without an id', JSON.stringify({ v: 1, post, patch: [...patch, {}] })],
  ])('not a well-formed spool file: %s', (_what, text) => {
    expect(decodeBatch(text)).toBeUndefined();
  });
});
