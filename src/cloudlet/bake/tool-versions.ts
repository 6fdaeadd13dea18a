// The versions of the host tools a bake runs: part of every stage key, so a tool upgrade rebuilds.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';

/** A tool bake runs, how to ask its version, and the Debian package that brings it. */
interface ToolSpec {
  name: string;
  args: string[];
  pkg: string;
}

const TOOLS: readonly ToolSpec[] = [
  { name: 'qemu-img', args: ['--version'], pkg: 'qemu-utils' },
  { name: 'mke2fs', args: ['-V'], pkg: 'e2fsprogs' },
  { name: 'sfdisk', args: ['--version'], pkg: 'fdisk' },
  { name: 'mtools', args: ['--version'], pkg: 'mtools' },
  { name: 'syslinux', args: ['--version'], pkg: 'syslinux' },
];

/** Boot loader files copied into disks: their bytes are their version. */
const FILES: readonly { path: string; pkg: string }[] = [
  { path: '/usr/lib/systemd/boot/efi/systemd-bootx64.efi', pkg: 'systemd-boot-efi' },
  { path: '/usr/lib/SYSLINUX/gptmbr.bin', pkg: 'syslinux-common' },
];

export type ToolVersions = Record<string, string>;

/** One line per tool (the first line it prints) and a sha256 per boot loader file; a missing one says which package to install. */
export async function toolVersions(system: System): Promise<ToolVersions> {
  const missing: string[] = [];
  const versions: ToolVersions = {};
  await Promise.all([
    ...TOOLS.map(async (tool) => {
      const result = await system.exec(tool.name, tool.args, { timeoutMs: 10_000 }).catch(() => undefined);
      const line = `${result?.stdout ?? ''}${result?.stderr ?? ''}`.split('\n').find((l) => l.trim());
      if (!result || !line) missing.push(tool.pkg);
      else versions[tool.name] = line.trim();
    }),
    ...FILES.map(async (file) => {
      const bytes = await readFile(file.path).catch(() => undefined);
      if (!bytes) missing.push(file.pkg);
      else versions[file.path] = createHash('sha256').update(bytes).digest('hex');
    }),
  ]);
  if (missing.length > 0) {
    const pkgs = [...new Set(missing)].sort().join(' ');
    throw new AgentError('E_BAKE_TOOL', `bake needs tools this machine lacks (Debian packages: ${pkgs})`, { fix: `apt-get install --no-install-recommends ${pkgs}` });
  }
  return versions;
}
