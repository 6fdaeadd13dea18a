// The text listing of a tree: one line per path, in path order, with everything a snapshot keeps but mtimes.

import { createHash } from 'node:crypto';
import type { TreeEntry } from './tree-entry';

/**
 * `"PATH" TYPE MODE UID:GID SIZE SHA256 TARGET [xattr="NAME":SHA256]... [dev=MAJOR,MINOR]`, where PATH and
 * TARGET are JSON strings (so any name fits on one line), MODE is four octal digits, SHA256 and TARGET are
 * "-" when the type has none, and an extended attribute shows its value's sha256. See docs/snapshots.md.
 */
export function listingLine(e: TreeEntry): string {
  const fields = [
    JSON.stringify(e.path),
    e.type,
    e.mode.toString(8).padStart(4, '0'),
    `${e.uid}:${e.gid}`,
    String(e.size),
    e.sha256 || '-',
    e.linkname ? JSON.stringify(e.linkname) : '-',
  ];
  for (const name of [...e.xattrs.keys()].sort()) {
    fields.push(`xattr=${JSON.stringify(name)}:${createHash('sha256').update(e.xattrs.get(name) as Buffer).digest('hex')}`);
  }
  if (e.type === 'char' || e.type === 'block') fields.push(`dev=${e.devmajor},${e.devminor}`);
  return fields.join(' ');
}

/** The listing of entries already in path order (as walkTree and imageEntries return them). */
export function listingText(entries: readonly TreeEntry[]): string {
  return entries.map((e) => `${listingLine(e)}\n`).join('');
}
