// Where an `include(name)` points: always a path inside the image's /.cloudlet/templates. Pure.

import { posix } from 'node:path';

/** The pristine store and the only place includes are read from. */
export const TEMPLATE_STORE = '/.cloudlet/templates';

/** The image path of the pristine copy of a template (e.g. /etc/motd -> /.cloudlet/templates/etc/motd). */
export function pristinePath(templatePath: string): string {
  return TEMPLATE_STORE + templatePath;
}

/** What the image holds for one include: its text, nothing, or a refusal (a symlink leaving the store). */
export type IncludeEntry = { text: string } | { missing: true } | { refused: string };

export class IncludeNameError extends Error {
  override name = 'IncludeNameError';
}

/**
 * Resolves `name` as included from the template stored at `fromStorePath` (an image path inside the
 * store). Absolute names start at the store, relative ones at the including file's directory there.
 * ".." is refused outright: an include never needs to climb, and refusing is simpler to trust.
 */
export function includePath(name: unknown, fromStorePath: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new IncludeNameError('include() needs a file name');
  if (name.includes('\0')) throw new IncludeNameError('include() file name contains a NUL byte');
  if (name.split('/').includes('..')) {
    throw new IncludeNameError(`include("${name}") is refused: ".." may not appear in include names (includes stay inside ${TEMPLATE_STORE})`);
  }
  const joined = name.startsWith('/') ? posix.join(TEMPLATE_STORE, name) : posix.join(posix.dirname(fromStorePath), name);
  if (!joined.startsWith(TEMPLATE_STORE + '/')) {
    throw new IncludeNameError(`include("${name}") is refused: it resolves outside ${TEMPLATE_STORE}`);
  }
  return joined;
}
