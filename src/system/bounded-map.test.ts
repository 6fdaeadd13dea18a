import { describe, expect, it } from 'vitest';
import { mapBounded } from './bounded-map';

/** A task per item that finishes only when the test says so, to see how many are running at a time. */
function gated() {
  const waiting: Array<{ item: number; finish: (fail?: Error) => void }> = [];
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const fn = (item: number) =>
    new Promise<string>((resolve, reject) => {
      running++;
      peak = Math.max(peak, running);
      started.push(item);
      waiting.push({
        item,
        finish: (fail) => {
          running--;
          if (fail) reject(fail);
          else resolve(`r${item}`);
        },
      });
    });
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return { fn, waiting, started, settle, peak: () => peak };
}

describe('mapBounded', () => {
  it('runs at most the limit at once and keeps the results in the items\' order', async () => {
    const g = gated();
    const items = Array.from({ length: 10 }, (_, i) => i);
    const done = mapBounded(items, 3, g.fn);
    await g.settle();
    expect(g.started).toEqual([0, 1, 2]);
    // Finish them out of order: the newest first.
    while (g.waiting.length) {
      g.waiting.pop()?.finish();
      await g.settle();
    }
    expect(await done).toEqual(items.map((i) => `r${i}`));
    expect(g.peak()).toBe(3);
  });

  it('starts nothing new after a failure and throws it once the running ones have settled', async () => {
    const g = gated();
    const done = mapBounded([0, 1, 2, 3, 4, 5], 2, g.fn);
    let settled = false;
    void done.catch(() => (settled = true));
    await g.settle();
    g.waiting.shift()?.finish(new Error('first failed'));
    await g.settle();
    expect(settled).toBe(false);
    expect(g.started).toEqual([0, 1]);
    g.waiting.shift()?.finish();
    await expect(done).rejects.toThrow('first failed');
    expect(g.started).toEqual([0, 1]);
  });

  it('handles no items and refuses a limit below 1', async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
    await expect(mapBounded([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});
