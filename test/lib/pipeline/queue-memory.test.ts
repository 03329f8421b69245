import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BatchQueue } from '../../../lib/pipeline/batch-queue';
import type { PendingBatch } from '../../../lib/pipeline/pending-batch';

/**
 * Memory only: a sent batch is settled (its records and spans let go) before
 * it leaves the queue's array, so what stays is a small shell per batch — a
 * leak no behaviour through the public API shows within a test's budget.
 * Hence the internal class, asked through WeakRefs.
 */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

test('the batch queue lets go of the batches taken from it: at most about a thousand stay referenced, however many passed through', async () => {
  const gc = collectGarbage();
  const queue = new BatchQueue(true);
  const refs: Array<WeakRef<PendingBatch>> = [];
  (() => {
    for (let i = 0; i < 3_000; i++) {
      const batch = { outcome: undefined, taken: false } as unknown as PendingBatch;
      refs.push(new WeakRef(batch));
      queue.push(batch);
    }
    let taken = 0;
    while (queue.takeReleased() !== undefined) taken++;
    expect(taken).toBe(3_000);
  })();
  const held = () => refs.filter((ref) => ref.deref() !== undefined).length;
  for (let round = 0; round < 10 && held() > 1_100; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  expect(held()).toBeLessThanOrEqual(1_100);
});
