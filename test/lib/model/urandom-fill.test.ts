import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { urandomFill } from '../../../lib/model/urandom-fill';

/**
 * The Node random source reads the kernel's CSPRNG; where the device cannot
 * be read it must still return random bytes (from Web Crypto), never leave a
 * buffer as it was or throw into a traced call.
 */
const distinctBytes = (bytes: Uint8Array) => new Set(bytes).size;

test('fills a whole 16 KiB pool with fresh bytes from /dev/urandom on each draw', () => {
  const fill = urandomFill();
  const first = new Uint8Array(16384);
  fill(first);
  const second = new Uint8Array(16384);
  fill(second);
  // 16 384 uniform bytes take all 256 values (a miss has probability ~256·e^-64).
  expect(distinctBytes(first)).toBe(256);
  expect(Buffer.from(second).equals(Buffer.from(first))).toBe(false);
});

test.each([
  ['a missing device', () => '/nonexistent/urandom'],
  ['a directory (opens, then fails to read)', (dir: string) => dir],
])('falls back to Web Crypto when the device is %s', (_, device) => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-urandom-'));
  try {
    const fill = urandomFill(device(dir));
    for (let draw = 0; draw < 2; draw++) {
      const bytes = new Uint8Array(4096);
      expect(() => fill(bytes)).not.toThrow();
      expect(distinctBytes(bytes)).toBeGreaterThan(200);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
