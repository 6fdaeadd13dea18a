// Carries a disk plan out: one sparse file, filesystems written in place at their offsets, GPT, boot loaders. No loop devices, no mounts.

import { lstat, mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { debugfsTimes, dumpe2fs, EXT4_TIMES_FILE, MKE2FS_CONFIG_FILE, mke2fsConfig, mcopy, mkfsExt4, mkfsVfat, mmd, sfdisk, syslinuxInstall, type DiskPaths } from './commands';
import { ext4TimesScript, usedInodes } from './ext4-times';
import { findDiskTools, runHostTool, type ToolPaths } from './host-tools';
import type { DiskPlan } from './types';

/** Host paths of the kernel and initrd that go onto the ESP. */
export interface BootFiles {
  kernel: string;
  initrd?: string;
}

export interface BuiltDisk {
  path: string;
  bytes: number;
}

/** The MBR's boot code area; the partition table follows it. */
const MBR_CODE_BYTES = 440;

async function regularFileSize(path: string, what: string): Promise<number> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new AgentError('E_BAKE_INPUT', `the ${what} ${path} cannot be read: ${err.code ?? err.message}`, { where: path, fix: `check the manifest's entrypoints.kernel ${what === 'kernel' ? 'path' : 'initrd'}`, cause: err });
  });
  if (!st.isFile()) throw new AgentError('E_BAKE_INPUT', `the ${what} ${path} is not a regular file`, { where: path, fix: `point entrypoints.kernel at the ${what} file itself` });
  return st.size;
}

/** The planner's kernelBytes and initrdBytes, from the files themselves. */
export async function bootFileSizes(boot: BootFiles): Promise<{ kernelBytes: number; initrdBytes?: number }> {
  const kernelBytes = await regularFileSize(boot.kernel, 'kernel');
  return boot.initrd === undefined ? { kernelBytes } : { kernelBytes, initrdBytes: await regularFileSize(boot.initrd, 'initrd') };
}

/** The kernel and initrd must be the ones planned for: the ESP was sized for them. */
async function checkBootFiles(plan: DiskPlan, boot: BootFiles): Promise<void> {
  const wantsInitrd = plan.esp.files.some((f) => f.source.kind === 'initrd');
  if (wantsInitrd !== (boot.initrd !== undefined)) {
    throw new AgentError('E_INTERNAL', `the disk plan ${wantsInitrd ? 'copies' : 'has no'} initrd, but buildDisk was ${boot.initrd ? 'given one' : 'given none'}`);
  }
  const bytes = (await regularFileSize(boot.kernel, 'kernel')) + (boot.initrd ? await regularFileSize(boot.initrd, 'initrd') : 0);
  if (bytes > plan.esp.contentBytes) {
    throw new AgentError('E_BAKE_SIZE', `the kernel and initrd grew from ${plan.esp.contentBytes} to ${bytes} bytes since the disk was planned`, {
      where: boot.kernel,
      fix: 'run bake again: it plans the ESP for the files as they are now',
    });
  }
}

async function mbrCode(path: string): Promise<Buffer> {
  const code = await readFile(path);
  if (code.length !== MBR_CODE_BYTES) {
    throw new AgentError('E_BAKE_TOOL', `${path} is ${code.length} bytes, not the ${MBR_CODE_BYTES} of MBR boot code`, { where: path, fix: 'reinstall syslinux-common' });
  }
  return code;
}

/** mke2fs ran out of room: the plan's estimate was short (attributes, sparse files on a compressing host). */
function outOfRoom(err: unknown, plan: DiskPlan): never {
  const text = err instanceof AgentError ? err.message : String(err);
  if (/Could not allocate|No space left|not enough space|no free space/i.test(text)) {
    const more = Math.ceil((plan.totalBytes * 1.25) / (1024 * 1024));
    throw new AgentError('E_BAKE_SIZE', `the files did not fit on the ${plan.totalBytes / (1024 * 1024)} MiB disk planned for them (${text})`, {
      where: '--size',
      fix: `give a larger disk, e.g. --size ${more}M`,
      cause: err,
    });
  }
  throw err;
}

async function writeEspTexts(plan: DiskPlan, work: string): Promise<void> {
  for (const file of plan.esp.files) {
    if (file.source.kind !== 'text') continue;
    const path = join(work, 'esp', file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.source.text);
  }
}

async function run(plan: DiskPlan, paths: DiskPaths, tools: ToolPaths, system: System): Promise<void> {
  const code = await mbrCode(plan.mbrCode);
  await writeFile(join(paths.work, MKE2FS_CONFIG_FILE), mke2fsConfig());
  await writeEspTexts(plan, paths.work);
  const disk = await open(paths.disk, 'w', 0o644);
  try {
    await disk.truncate(plan.totalBytes);
  } finally {
    await disk.close();
  }
  // The root first, into a file that holds nothing yet: whatever mke2fs discards, nothing is lost.
  await runHostTool(system, tools, mkfsExt4(plan, paths)).catch((err: unknown) => outOfRoom(err, plan));
  const dump = await runHostTool(system, tools, dumpe2fs(plan, paths));
  const rootStat = await lstat(paths.root);
  const script = ext4TimesScript(usedInodes(dump.stdout), plan.epoch, { mode: rootStat.mode, uid: rootStat.uid, gid: rootStat.gid, mtime: Math.floor(rootStat.mtimeMs / 1000) });
  await writeFile(join(paths.work, EXT4_TIMES_FILE), script);
  await runHostTool(system, tools, debugfsTimes(plan, paths));
  await runHostTool(system, tools, sfdisk(plan, paths));
  await runHostTool(system, tools, mkfsVfat(plan, paths));
  await runHostTool(system, tools, mmd(plan, paths));
  for (const file of plan.esp.files) await runHostTool(system, tools, mcopy(plan, paths, file));
  await runHostTool(system, tools, syslinuxInstall(plan, paths));
  const handle = await open(paths.disk, 'r+');
  try {
    await handle.write(code, 0, code.length, 0);
  } finally {
    await handle.close();
  }
}

/**
 * Writes the disk planned by planDisk to `out` from the staged tree `root` and the boot files. On any
 * failure `out` is removed: nothing half-written stays. The scratch directory sits beside `out`.
 */
export async function buildDisk(plan: DiskPlan, root: string, boot: BootFiles, out: string, system: System): Promise<BuiltDisk> {
  const tools = await findDiskTools(system);
  await checkBootFiles(plan, boot);
  const work = await mkdtemp(join(dirname(out), `.${basename(out)}.work-`));
  const paths: DiskPaths = { root, disk: out, work, kernel: boot.kernel, ...(boot.initrd ? { initrd: boot.initrd } : {}) };
  try {
    await run(plan, paths, tools, system);
  } catch (err) {
    await rm(out, { force: true });
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { path: out, bytes: plan.totalBytes };
}
