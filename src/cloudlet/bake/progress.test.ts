import { describe, expect, it } from 'vitest';
import { createProgress, humanBytes } from './progress';

function sink(isTty: boolean) {
  const out: string[] = [];
  let clock = 0;
  const progress = createProgress({ write: (t) => out.push(t), isTty, columns: 80, now: () => clock });
  return { out, progress, tick: (ms: number) => (clock += ms) };
}

describe('bake progress', () => {
  it('prints one plain line per stage when not on a terminal, no bar and no escape codes', () => {
    const { out, progress, tick } = sink(false);
    progress.begin('disk', 4_000_000);
    tick(500);
    progress.update(2_000_000);
    progress.end('4.0 MB in 1.0 s');
    expect(out).toEqual(['disk: 4.0 MB in 1.0 s\n']);
  });

  it('draws a bar with bytes and rate on a terminal, at most ten times a second', () => {
    const { out, progress, tick } = sink(true);
    progress.begin('convert vmdk', 10_000_000);
    tick(1000);
    progress.update(5_000_000);
    progress.update(6_000_000);
    tick(200);
    progress.update(7_000_000);
    expect(out).toHaveLength(3);
    expect(out[1]).toContain('[###############...............] 5.0 MB / 10.0 MB 5.0 MB/s');
    expect(out[2]).toContain('7.0 MB / 10.0 MB');
    progress.end('done');
    expect(out.at(-1)).toBe('\r\x1b[2Kconvert vmdk: done\n');
  });

  it('writes sizes in decimal units', () => {
    expect(humanBytes(999)).toBe('999 B');
    expect(humanBytes(1_500_000)).toBe('1.5 MB');
    expect(humanBytes(2_000_000_000)).toBe('2.0 GB');
  });
});
