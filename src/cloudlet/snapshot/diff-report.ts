// What `cloudlet diff` prints: one line per added, removed or changed path, or the same as JSON. No I/O.

import { listingLine } from './listing';
import type { TreeDiff, TreeEntry } from './tree-entry';

/** `+ LISTING` for an added path, `- LISTING` for a removed one, `~ "PATH" what,what` then both listings for a changed one. */
export function diffText(diff: TreeDiff): string[] {
  const lines: string[] = [];
  for (const e of diff.added) lines.push(`+ ${listingLine(e)}`);
  for (const e of diff.removed) lines.push(`- ${listingLine(e)}`);
  for (const c of diff.changed) lines.push(`~ ${JSON.stringify(c.path)} ${c.what.join(',')}`, `    was ${listingLine(c.before)}`, `    now ${listingLine(c.after)}`);
  return lines;
}

export function diffJson(a: string, b: string, diff: TreeDiff): Record<string, unknown> {
  return {
    a,
    b,
    added: diff.added.map(entryJson),
    removed: diff.removed.map(entryJson),
    changed: diff.changed.map((c) => ({ path: c.path, what: c.what, before: entryJson(c.before), after: entryJson(c.after) })),
  };
}

function entryJson(e: TreeEntry): Record<string, unknown> {
  return {
    path: e.path,
    type: e.type,
    mode: e.mode.toString(8).padStart(4, '0'),
    uid: e.uid,
    gid: e.gid,
    size: e.size,
    ...(e.sha256 ? { sha256: e.sha256 } : {}),
    ...(e.linkname ? { linkname: e.linkname } : {}),
    ...(e.type === 'char' || e.type === 'block' ? { devmajor: e.devmajor, devminor: e.devminor } : {}),
    ...(e.xattrs.size ? { xattrs: [...e.xattrs.keys()].sort() } : {}),
  };
}
