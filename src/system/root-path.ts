// Joins image paths to the image root on the host, following symlinks inside the root and refusing escapes.

import { lstat, readlink } from 'node:fs/promises';
import { posix, resolve as hostResolve } from 'node:path';
import { AgentError } from '../errors';
import { imagePathProblem } from './image-path';

const MAX_LINKS = 40;

export interface JoinOptions {
  /** Follow a symlink in the last component too (default true). Off when the link itself is the object. */
  followFinal?: boolean;
}

/**
 * Resolves `imagePath` (absolute, as seen inside the image) to a host path under `root`.
 * Symlinks are resolved as the image would see them: absolute targets start at the root, relative ones
 * at the link's directory. A target that climbs above the root is refused with E_PATH_ESCAPE, as is any
 * `..` in `imagePath` itself. Components that do not exist yet are joined as they are.
 */
export async function joinRoot(root: string, imagePath: string, options: JoinOptions = {}): Promise<string> {
  const problem = imagePathProblem(imagePath);
  if (problem) {
    throw new AgentError('E_PATH_ESCAPE', `image path ${problem}`, {
      where: imagePath,
      fix: 'use an absolute path inside the image without ".." components',
    });
  }
  const hostRoot = hostResolve(root);
  const followFinal = options.followFinal ?? true;
  const pending = imagePath.split('/').filter((c) => c !== '' && c !== '.');
  const resolved: string[] = [];
  let links = 0;
  // Depth at which a component was first missing: deeper components are joined unchecked, and a ".."
  // that climbs back above it must re-check again (the climbed-to directory may hold hostile links).
  let missingAt = Infinity;

  while (pending.length > 0) {
    const component = pending.shift() as string;
    if (component === '.') continue;
    if (component === '..') {
      if (resolved.length === 0) throw escape(imagePath, 'a symlink climbs above the image root');
      resolved.pop();
      if (resolved.length < missingAt) missingAt = Infinity;
      continue;
    }
    resolved.push(component);
    if (resolved.length > missingAt) continue;
    const isFinal = pending.length === 0;
    if (isFinal && !followFinal) break;
    const host = posix.join(hostRoot, ...resolved);
    let st;
    try {
      st = await lstat(host);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        missingAt = resolved.length;
        continue;
      }
      throw new AgentError('E_IO', `cannot inspect ${'/' + resolved.join('/')}: ${(err as Error).message}`, {
        where: host,
        fix: 'check that the agent runs as root and can read the image tree',
        cause: err,
      });
    }
    if (!st.isSymbolicLink()) continue;
    if (++links > MAX_LINKS) throw escape(imagePath, `more than ${MAX_LINKS} symlinks (a loop?)`);
    const target = await readlink(host);
    resolved.pop();
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((c) => c !== ''));
  }
  return resolved.length === 0 ? hostRoot : posix.join(hostRoot, ...resolved);
}

/** The image path of a host path below `root` (inverse of joinRoot for resolved paths). */
export function imagePathOf(root: string, hostPath: string): string {
  const rel = posix.relative(hostResolve(root), hostResolve(hostPath));
  if (rel === '..' || rel.startsWith('../')) throw escape(hostPath, 'the host path is outside the image root');
  return '/' + rel;
}

function escape(where: string, why: string): AgentError {
  return new AgentError('E_PATH_ESCAPE', `refusing ${where}: ${why}`, {
    where,
    fix: 'make the path and its symlinks stay inside the image (absolute symlink targets are read relative to the image root)',
  });
}
