// Progress of the slow bake stages: a bar with bytes and rate on a terminal, plain lines elsewhere.

export interface ProgressSink {
  /** a stage began; `total` in bytes when known */
  begin(label: string, total?: number): void;
  /** bytes done so far in the current stage */
  update(done: number): void;
  /** the stage ended; `note` says how (e.g. "cache hit", "1.2 GB in 3.4 s") */
  end(note: string): void;
}

export interface ProgressOptions {
  write: (text: string) => void;
  isTty: boolean;
  columns: number;
  now: () => number;
}

function human(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function humanBytes(bytes: number): string {
  return human(bytes);
}

/** On a terminal the bar redraws at most 10 times a second; elsewhere one line per stage, never a bar. */
export function createProgress(opts: ProgressOptions): ProgressSink {
  let label = '';
  let total: number | undefined;
  let started = 0;
  let lastDraw = 0;
  const draw = (done: number) => {
    const seconds = Math.max((opts.now() - started) / 1000, 0.001);
    const rate = `${human(done / seconds)}/s`;
    const amount = total ? `${human(done)} / ${human(total)}` : human(done);
    const width = Math.max(10, Math.min(30, opts.columns - label.length - amount.length - rate.length - 12));
    const filled = total ? Math.min(width, Math.round((done / total) * width)) : 0;
    const bar = total ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    opts.write(`\r\x1b[2K${label} ${bar}${amount} ${rate}`);
  };
  return {
    begin(l, t) {
      label = l;
      total = t;
      started = opts.now();
      lastDraw = 0;
      if (opts.isTty) draw(0);
    },
    update(done) {
      if (!opts.isTty) return;
      const now = opts.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      draw(done);
    },
    end(note) {
      opts.write(`${opts.isTty ? '\r\x1b[2K' : ''}${label}: ${note}\n`);
    },
  };
}
