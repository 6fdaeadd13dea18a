// A disk plan as lines for --dry-run: layout, sizes and where they come from, boot loaders, and the commands.

import { debugfsTimes, dumpe2fs, mcopy, mkfsExt4, mkfsVfat, mmd, sfdisk, syslinuxInstall, type DiskPaths, type ToolCall } from './commands';
import { MIB } from './plan';
import type { DiskPlan, EspFile } from './types';

function size(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(2)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(bytes % MIB === 0 ? 0 : 1)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function commandLine(call: ToolCall): string {
  const env = Object.entries(call.env ?? {}).map(([k, v]) => `${k}=${quote(v)} `).join('');
  return `${env}${call.tool} ${call.args.map(quote).join(' ')}${call.input !== undefined ? ' <<EOF (the lines below)' : ''}`;
}

function from(file: EspFile): string {
  switch (file.source.kind) {
    case 'kernel':
      return 'the image\'s kernel';
    case 'initrd':
      return 'the image\'s initrd';
    case 'host':
      return file.source.path;
    case 'text':
      return 'written by bake';
  }
}

/** Placeholders a dry run prints in place of the real paths. */
export const DRY_RUN_PATHS: DiskPaths = { root: '<root>', disk: '<disk>', work: '<work>', kernel: '<kernel>', initrd: '<initrd>' };

/** Every command buildDisk runs, in order, with `paths`. */
export function diskCommands(plan: DiskPlan, paths: DiskPaths): ToolCall[] {
  return [
    mkfsExt4(plan, paths),
    dumpe2fs(plan, paths),
    debugfsTimes(plan, paths),
    sfdisk(plan, paths),
    mkfsVfat(plan, paths),
    mmd(plan, paths),
    ...plan.esp.files.map((f) => mcopy(plan, paths, f)),
    syslinuxInstall(plan, paths),
  ];
}

export function describeDisk(plan: DiskPlan): string[] {
  const s = plan.sizing;
  const lines = [
    `disk ${size(plan.totalBytes)} (${plan.totalBytes} bytes), GPT ${plan.diskGuid}, sized ${s.mode === 'automatic' ? 'automatically' : `by --size ${s.requestedBytes}`}, at least ${size(s.minimumBytes)}`,
    `  root files ${size(s.contentBytes)} + ext4 overhead ${size(s.overheadBytes)} + reserved ${plan.root.reservedPercent}% ${size(s.reservedBytes)} + free ${size(s.freeBytes)}`,
  ];
  for (const p of plan.partitions) {
    const what = p.role === 'esp'
      ? `vfat FAT${plan.esp.fatBits} "${plan.esp.label}" volume id ${plan.esp.volumeId}`
      : `ext4 "${plan.root.label}" uuid ${plan.root.uuid}, ${plan.root.inodes} inodes, journal ${size(plan.root.journalBlocks * plan.root.blockSize)}`;
    const attrs = p.attributes.length ? `, attributes ${p.attributes.join(' ')}` : '';
    lines.push(`  partition ${p.number} ${p.name}: at ${size(p.offsetBytes)}, ${size(p.sizeBytes)}, type ${p.typeGuid}, uuid ${p.uuid}${attrs}; ${what}`);
  }
  lines.push(
    `boot: BIOS by syslinux (${plan.mbrCode} in the MBR, ldlinux on the ESP), UEFI by systemd-boot (\\EFI\\BOOT\\BOOTX64.EFI)`,
    `kernel command line: ${plan.cmdline}`,
    'ESP files:',
    ...plan.esp.files.map((f) => `  ${f.path} (${from(f)})`),
    'commands:',
    `  create ${DRY_RUN_PATHS.disk}: a sparse file of ${plan.totalBytes} bytes`,
    ...diskCommands(plan, DRY_RUN_PATHS).flatMap((c) => [`  ${commandLine(c)}`, ...(c.input ?? '').split('\n').filter(Boolean).map((l) => `    ${l}`)]),
    `  write the first 440 bytes of ${plan.mbrCode} at the start of ${DRY_RUN_PATHS.disk}`,
  );
  return lines;
}
