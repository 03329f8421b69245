import { chmodSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Replaces `file` with `text` atomically: write a temp file beside it, keep
 * the original's mode, then rename over it — a crash leaves either the old
 * file or the new one, never half of one.
 */
export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tracewire-tmp`;
  try {
    writeFileSync(temp, text);
    chmodSync(temp, statSync(file).mode);
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // The temp file was never created; the original error is the one to report.
    }
    throw error;
  }
}
