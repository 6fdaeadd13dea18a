// Runs an async function over many items with a bound on how many run at once (files open, processes).

/** Files worked on at once: enough to overlap I/O and fsyncs, few enough to stay far below descriptor limits. */
export const FILES_AT_ONCE = 8;

/**
 * `fn` over `items`, at most `limit` at a time, results in the items' order. After a failure no new item
 * is started; the first failure is thrown once the ones already running have settled.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`mapBounded needs a limit of 1 or more, not ${limit}`);
  const results = new Array<R>(items.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && errors.length === 0) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
  return results;
}
