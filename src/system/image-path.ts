// Pure checks on image paths (absolute paths as seen inside the image): no I/O, usable by planners.

import { posix } from 'node:path';

/** Why an image path is unacceptable, or undefined when it is fine. */
export function imagePathProblem(p: unknown): string | undefined {
  if (typeof p !== 'string' || p.length === 0) return 'must be a non-empty string';
  if (p.includes('\0')) return 'must not contain a NUL byte';
  if (!p.startsWith('/')) return `"${p}" is not absolute: image paths start with "/"`;
  if (p.split('/').includes('..')) return `"${p}" contains "..": image paths may not climb out of a directory`;
  return undefined;
}

/** Normalized form ("/a//b/./c/" -> "/a/b/c"); call imagePathProblem first. */
export function normalizeImagePath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** True when `inner` is `outer` or lies below it (both normalized). */
export function isWithin(outer: string, inner: string): boolean {
  if (outer === '/') return true;
  return inner === outer || inner.startsWith(outer + '/');
}
