// A unified diff of two texts, line by line (Myers' O(ND) shortest edit script). Pure.

type Op = { kind: ' ' | '-' | '+'; line: string };

const CONTEXT = 3;
/**
 * The search keeps one row per edit; past this many numbers in all (tens of MB) the diff is shown as
 * every old line removed and every new one added rather than found at the cost of gigabytes.
 */
const MAX_TRACE_CELLS = 5_000_000;

function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: true };
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, finalNewline };
}

/** The shortest edit script turning a into b. */
function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Array<number>(2 * max + 3).fill(0);
  const trace: number[][] = [];
  outer: for (let d = 0; d <= max; d++) {
    if ((d + 1) * v.length > MAX_TRACE_CELLS) return [...a.map((line): Op => ({ kind: '-', line })), ...b.map((line): Op => ({ kind: '+', line }))];
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
      let x = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) break outer;
    }
  }
  // Walk the trace back from the end to recover the path.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d] as number[];
    const k = x - y;
    const down = k === -d || (k !== d && (vd[offset + k - 1] ?? 0) < (vd[offset + k + 1] ?? 0));
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd[offset + prevK] ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: ' ', line: a[x] as string });
    }
    if (d > 0) {
      if (down) ops.push({ kind: '+', line: b[--y] as string });
      else ops.push({ kind: '-', line: a[--x] as string });
    }
  }
  return ops.reverse();
}

export const HIDDEN_LINE = '<hidden: this file holds secrets>';

/**
 * Unified diff with three lines of context; empty when the texts are equal. With hideRemoved the
 * content of removed lines is replaced by HIDDEN_LINE (they may hold a secret no longer known).
 */
export function unifiedDiff(before: string | null, after: string, label: string, options: { hideRemoved?: boolean } = {}): string {
  if (before === after) return '';
  const a = splitLines(before ?? '');
  const b = splitLines(after);
  const ops = editScript(a.lines, b.lines);
  const out = [`--- ${before === null ? '/dev/null' : `a${label}`}`, `+++ b${label}`];
  let i = 0;
  let oldLine = 1;
  let newLine = 1;
  while (i < ops.length) {
    // Skip to the next change, keeping CONTEXT lines before it.
    let j = i;
    while (j < ops.length && ops[j]?.kind === ' ') j++;
    if (j === ops.length) break;
    const start = Math.max(i, j - CONTEXT);
    oldLine += start - i;
    newLine += start - i;
    // Extend the hunk while changes are closer than 2*CONTEXT lines apart.
    let end = j;
    let quiet = 0;
    while (end < ops.length && quiet <= 2 * CONTEXT) {
      quiet = ops[end]?.kind === ' ' ? quiet + 1 : 0;
      end++;
    }
    end -= Math.max(0, quiet - CONTEXT);
    const hunk = ops.slice(start, end);
    const oldCount = hunk.filter((o) => o.kind !== '+').length;
    const newCount = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${oldCount ? oldLine : oldLine - 1},${oldCount} +${newCount ? newLine : newLine - 1},${newCount} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.kind === '-' && options.hideRemoved ? HIDDEN_LINE : o.line}`);
    oldLine += oldCount;
    newLine += newCount;
    i = end;
  }
  if (a.finalNewline !== b.finalNewline && before !== null) {
    out.push(`\\ ${b.finalNewline ? 'the old text had' : 'the new text has'} no newline at the end`);
  }
  return out.join('\n') + '\n';
}
