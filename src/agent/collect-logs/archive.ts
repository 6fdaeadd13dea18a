// Writes the log bundle: members staged privately, archived by the `tar` program, gzipped, then renamed into place with mode 0600.

import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AgentError } from '../../errors';
import { writeAtomic } from '../../system/atomic-write';
import type { System } from '../../system/system';
import { runTool } from '../../system/tools';
import type { Member } from './gather';

/** The one directory in the tarball: unpacking it never scatters files into the current directory. */
export const BUNDLE_DIR = 'cloudlet-logs';
/** Root only: scrubbed, but still a machine's configuration and logs. */
export const BUNDLE_MODE = 0o600;

/**
 * The agent does not carry a tar writer of its own (the host program's writes disk bundles and is not
 * shared), and every image the agent boots has a `tar`: it archives a private staging directory.
 */
export async function writeBundle(system: System, target: string, members: readonly Member[]): Promise<number> {
  const staging = await mkdtemp(join(system.env.TMPDIR ?? tmpdir(), 'cloudlet-logs-'));
  try {
    const dir = join(staging, BUNDLE_DIR);
    await mkdir(dir, { mode: 0o700 });
    for (const m of members) await writeFile(join(dir, m.name), m.content, { mode: BUNDLE_MODE, flag: 'wx' });
    const tarFile = join(staging, 'bundle.tar');
    await runTool(system, 'tar', ['-c', '-f', tarFile, '-C', staging, BUNDLE_DIR], 'E_IO', 'install tar (GNU tar or busybox) in the image');
    const gz = gzipSync(await readFile(tarFile));
    try {
      await writeAtomic(target, gz, { mode: BUNDLE_MODE });
    } catch (err) {
      throw new AgentError('E_IO', `cannot write ${target}: ${(err as Error).message}`, { where: target, fix: 'choose a writable path for -o', cause: err });
    }
    return gz.length;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
