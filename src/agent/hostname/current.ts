// Reads what the hostname step plans from: whether the root is this machine's, the kernel's name, /etc/hostname.

import { realpath } from 'node:fs/promises';
import { readText } from '../../manifest/user-data-file';

/** Only the first line counts; a larger file is read no further. */
const MAX_READ = 4096;

/** The image root is the root of the machine the agent runs on (a chroot into it counts). */
export async function isMachineRoot(root: string): Promise<boolean> {
  return (await realpath(root).catch(() => root)) === '/';
}

/** A file's first line, trimmed; null when the file does not exist. */
export async function firstLine(host: string): Promise<string | null> {
  const text = await readText(host, MAX_READ);
  return text === null ? null : (text.split('\n')[0] ?? '').trim();
}
