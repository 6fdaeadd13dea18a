// unifiedDiff: hunks, context, new files, hidden removed lines; checked by patching back.

import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './line-diff';

/** Applies a unified diff made by unifiedDiff to `before`, to prove the hunks are right. */
function patch(before: string, diff: string): string {
  const a = before.endsWith('\n') ? before.slice(0, -1).split('\n') : before === '' ? [] : before.split('\n');
  const out: string[] = [];
  let pos = 0;
  for (const line of diff.split('\n')) {
    const h = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(line);
    if (h) {
      const start = Number(h[2]) === 0 ? Number(h[1]) : Number(h[1]) - 1;
      while (pos < start) out.push(a[pos++] as string);
      continue;
    }
    if (line.startsWith('---') || line.startsWith('+++') || line.startsWith('\\') || line === '') continue;
    if (line[0] === ' ') out.push(a[pos++] as string);
    else if (line[0] === '-') pos++;
    else if (line[0] === '+') out.push(line.slice(1));
  }
  while (pos < a.length) out.push(a[pos++] as string);
  return out.join('\n') + '\n';
}

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', '/etc/x')).toBe('');
  });

  it('shows a changed line with three lines of context', () => {
    const before = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n';
    const after = 'l1\nl2\nl3\nl4\nCHANGED\nl6\nl7\nl8\n';
    expect(unifiedDiff(before, after, '/etc/x')).toBe(
      ['--- a/etc/x', '+++ b/etc/x', '@@ -2,7 +2,7 @@', ' l2', ' l3', ' l4', '-l5', '+CHANGED', ' l6', ' l7', ' l8', ''].join('\n'),
    );
  });

  it('hides the content of removed lines when asked, keeping added and context lines', () => {
    const diff = unifiedDiff('a\npassword=old-secret\n', 'a\npassword=<secret>\n', '/x', { hideRemoved: true });
    expect(diff).not.toContain('old-secret');
    expect(diff).toContain('-<hidden: this file holds secrets>');
    expect(diff).toContain('+password=<secret>');
    expect(diff).toContain(' a');
  });

  it('shows a new file as all added against /dev/null', () => {
    expect(unifiedDiff(null, 'a\nb\n', '/etc/new')).toBe(['--- /dev/null', '+++ b/etc/new', '@@ -0,0 +1,2 @@', '+a', '+b', ''].join('\n'));
  });

  it('splits changes more than six lines apart into separate hunks whose patch gives the new text', () => {
    const before = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const lines = before.trimEnd().split('\n');
    lines[2] = 'two';
    lines.splice(30, 1);
    lines.push('tail');
    const after = lines.join('\n') + '\n';
    const diff = unifiedDiff(before, after, '/x');
    expect(diff.match(/^@@/gm)).toHaveLength(3);
    expect(patch(before, diff)).toBe(after);
  });

  it('produces diffs that patch back correctly for assorted edits', () => {
    const cases: Array<[string, string]> = [
      ['a\nb\nc\n', 'c\nb\na\n'],
      ['', 'x\n'],
      ['x\ny\n', ''],
      ['same\n'.repeat(10), 'same\n'.repeat(5) + 'new\n' + 'same\n'.repeat(5)],
    ];
    for (const [before, after] of cases) expect(patch(before, unifiedDiff(before, after, '/f'))).toBe(after === '' ? '\n' : after);
  });

  it('gives a large, wholly changed file a diff of every line removed and added that still patches back', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `old ${i}`).join('\n') + '\n';
    const after = Array.from({ length: 3000 }, (_, i) => `new ${i}`).join('\n') + '\n';
    const diff = unifiedDiff(before, after, '/etc/big');
    expect(diff.split('\n').filter((l) => l.startsWith('-old')).length).toBe(3000);
    expect(diff.split('\n').filter((l) => l.startsWith('+new')).length).toBe(3000);
    expect(patch(before, diff)).toBe(after);
  });
});
