// Where a member may go: names and link targets checked against the image root, without touching any file.

import type { TarEntry } from './tar-entry';
import { badInput, escapes, memberWhere } from './input-errors';

const NAME_MAX = 255;
const PATH_MAX = 4095;

/**
 * The components of a member name inside the image. Empty and "." components are dropped (so "./etc/",
 * "etc//x" and "." are fine); an absolute name or any ".." is refused rather than rewritten, since an archive
 * that spells them means something other than what it would unpack to.
 */
export function memberComponents(name: string, archive: string, what = 'member'): string[] {
  const where = memberWhere(archive, name);
  if (name === '') throw badInput(`${what} with an empty name`, where, 'make the archive again; every member needs a name');
  if (name.includes('\0')) throw badInput(`${what} name contains a NUL byte`, where, 'make the archive again');
  if (name.startsWith('/')) throw escapes(`refusing ${what} "${name}" of ${archive}: absolute names are not allowed`, where);
  const parts = name.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) throw escapes(`refusing ${what} "${name}" of ${archive}: ".." would climb out of the image`, where);
  for (const c of parts) {
    if (Buffer.byteLength(c) > NAME_MAX) throw badInput(`a component of ${what} "${name.slice(0, 80)}…" is longer than ${NAME_MAX} bytes`, where, 'shorten the file name');
  }
  return parts;
}

/**
 * Refuses a symlink whose relative target climbs above the image root from where the link sits. Absolute
 * targets are fine: they resolve inside the image when it runs. The check is lexical; nothing here follows links.
 */
export function checkSymlinkTarget(linkParts: string[], entry: TarEntry, archive: string): void {
  const where = memberWhere(archive, entry.path);
  const target = entry.linkname;
  if (target === '') throw badInput('symlink with an empty target', where, 'make the archive again');
  if (target.includes('\0')) throw badInput('symlink target contains a NUL byte', where, 'make the archive again');
  if (Buffer.byteLength(target) > PATH_MAX) throw badInput(`symlink target longer than ${PATH_MAX} bytes`, where, 'shorten the link target');
  if (target.startsWith('/')) return;
  let depth = linkParts.length - 1;
  for (const c of target.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (--depth < 0) throw escapes(`refusing symlink "${entry.path}" -> "${target}" of ${archive}: the target leads out of the image`, where);
    } else depth++;
  }
}

export function joinParts(parts: readonly string[]): string {
  return parts.join('/');
}

/** "a/b/c" -> "a/b"; the root's parent is the root. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}
