// The errors of image inputs: what went wrong with which member of which archive, and what to do about it.

import { AgentError } from '../../errors';

/** An input that is malformed, unsupported or larger than its bounds. */
export function badInput(what: string, where: string, fix: string): AgentError {
  return new AgentError('E_BAKE_INPUT', what, { where, fix });
}

/** A member or link that would put something outside the staging tree, or write through a symlink. */
export function escapes(what: string, where: string): AgentError {
  return new AgentError('E_PATH_ESCAPE', what, {
    where,
    fix: 'rebuild the archive with member names relative to the image root (tar -C ROOT -cf IMAGE.tar .), no "..", and links that stay inside it',
  });
}

/** `archive: member` for messages; names are quoted so spaces and odd bytes stay visible. */
export function memberWhere(archive: string, member: string): string {
  return `${archive}: member ${JSON.stringify(member)}`;
}

export const FIX_CORRUPT = 'the archive is damaged or not what its name says; make it again (for example tar -C ROOT -cf IMAGE.tar .)';
