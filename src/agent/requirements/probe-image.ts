// Looks inside the image for the commands and files an entry point requires (every path through joinRoot).

import { stat } from 'node:fs/promises';
import { asAgentError } from '../../errors';
import { joinRoot } from '../../system/root-path';
import type { Requirements } from '../../manifest/types';

/** The PATH of the image's entry points: the usual Debian/systemd default, searched in this order. */
export const IMAGE_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'] as const;

export type CommandProbe = { found: string } | { missing: true } | { refused: string };
export type FileProbe = { present: true } | { missing: true } | { refused: string };

/** What the image holds of what the requirements name, keyed by the name as written in the manifest. */
export interface ImageProbes {
  commands: Record<string, CommandProbe>;
  files: Record<string, FileProbe>;
}

/** Probes all commands and files of `requires` in parallel. */
export async function probeImage(root: string, requires: Requirements): Promise<ImageProbes> {
  const commands = requires.commands ?? [];
  const files = requires.files ?? [];
  const [c, f] = await Promise.all([Promise.all(commands.map((name) => probeCommand(root, name))), Promise.all(files.map((p) => probeFile(root, p)))]);
  return {
    commands: Object.fromEntries(commands.map((name, i) => [name, c[i] as CommandProbe])),
    files: Object.fromEntries(files.map((p, i) => [p, f[i] as FileProbe])),
  };
}

/**
 * A name with a slash is an image path and must itself be executable; a bare name is searched in
 * IMAGE_PATH and the first executable regular file wins, as a shell would pick it.
 */
export async function probeCommand(root: string, name: string): Promise<CommandProbe> {
  if (name.includes('/')) {
    if (!name.startsWith('/')) return { refused: 'a command with a slash must be an absolute image path' };
    try {
      return (await isExecutableFile(await joinRoot(root, name))) ? { found: name } : { missing: true };
    } catch (err) {
      return { refused: asAgentError(err).message };
    }
  }
  if (name === '' || name === '.' || name === '..') return { refused: 'not a command name' };
  for (const dir of IMAGE_PATH) {
    const imagePath = `${dir}/${name}`;
    try {
      if (await isExecutableFile(await joinRoot(root, imagePath))) return { found: imagePath };
    } catch {
      // A PATH entry whose link leaves the image is skipped, as if the command were not there.
    }
  }
  return { missing: true };
}

/** A file (of any type, symlinks followed inside the image) exists at the image path. */
export async function probeFile(root: string, imagePath: string): Promise<FileProbe> {
  try {
    await stat(await joinRoot(root, imagePath));
    return { present: true };
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { missing: true };
    return { refused: asAgentError(err).message };
  }
}

// joinRoot wraps the errors of its lstat calls; the errno is on the cause.
function errnoOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' && !e.code.startsWith('E_') ? e.code : e.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

async function isExecutableFile(hostPath: string): Promise<boolean> {
  try {
    const st = await stat(hostPath);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
