// Runs the host tools a disk needs, with a pinned environment; a missing tool or file names the Debian package to install.

import { access, constants } from 'node:fs/promises';
import { AgentError } from '../../errors';
import { findTool } from '../../system/tools';
import type { ExecResult, System } from '../../system/system';
import type { ToolCall } from './commands';
import { GPTMBR_BIN, SYSTEMD_BOOT_EFI } from './plan';

const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  'mkfs.ext4': 'e2fsprogs',
  dumpe2fs: 'e2fsprogs',
  debugfs: 'e2fsprogs',
  sfdisk: 'fdisk',
  'mkfs.vfat': 'dosfstools',
  mmd: 'mtools',
  mcopy: 'mtools',
  syslinux: 'syslinux',
};

const FILE_PACKAGES: Readonly<Record<string, string>> = {
  [GPTMBR_BIN]: 'syslinux-common',
  [SYSTEMD_BOOT_EFI]: 'systemd-boot-efi',
};

/** mkfs.ext4 of a large tree takes minutes; nothing here may take an hour. */
const LONG_TIMEOUT_MS = 3_600_000;
const TIMEOUT_MS = 300_000;

export type ToolPaths = Record<string, string>;

/** Finds every tool and file a disk needs, and fails once, listing the packages of all that are missing. */
export async function findDiskTools(system: System): Promise<ToolPaths> {
  const found: ToolPaths = {};
  const missing = new Set<string>();
  for (const [tool, pkg] of Object.entries(TOOL_PACKAGES)) {
    const path = await findTool(system, tool);
    if (path === null) missing.add(pkg);
    else found[tool] = path;
  }
  for (const [file, pkg] of Object.entries(FILE_PACKAGES)) {
    if (!(await access(file, constants.R_OK).then(() => true, () => false))) missing.add(pkg);
  }
  if (missing.size > 0) {
    const pkgs = [...missing].sort().join(' ');
    throw new AgentError('E_BAKE_TOOL', `bake needs host tools that are not installed: ${pkgs}`, {
      where: [...Object.keys(TOOL_PACKAGES), ...Object.keys(FILE_PACKAGES)].join(', '),
      fix: `apt-get install --no-install-recommends ${pkgs}`,
    });
  }
  return found;
}

/**
 * Runs one call. The environment is built, not inherited: C collation (mke2fs sorts names with the
 * locale's), UTC (FAT stores local time), and the call's own pins. A tool that fails, or debugfs,
 * which exits 0 and complains on stderr, is an E_BAKE_TOOL error quoting what it said.
 */
export async function runHostTool(system: System, tools: ToolPaths, call: ToolCall): Promise<ExecResult> {
  const file = tools[call.tool];
  if (file === undefined) throw new AgentError('E_INTERNAL', `no path found for host tool ${call.tool}`);
  const env = { PATH: system.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', TZ: 'UTC', ...call.env };
  const result = await system.exec(file, call.args, {
    env,
    timeoutMs: call.tool === 'mkfs.ext4' ? LONG_TIMEOUT_MS : TIMEOUT_MS,
    ...(call.input !== undefined ? { input: call.input } : {}),
  });
  const complaints = call.tool === 'debugfs' ? result.stderr.split('\n').filter((l) => l.trim() && !/^debugfs \d/.test(l)) : [];
  if (result.code !== 0 || complaints.length > 0) {
    const said = (complaints.length ? complaints : (result.stderr || result.stdout).trim().split('\n')).slice(-3).join('; ');
    const why = said || (result.signal ? `killed by ${result.signal}` : `exit ${result.code}`);
    throw new AgentError('E_BAKE_TOOL', `${call.tool} failed: ${why}`, {
      where: `${call.tool} ${call.args.join(' ')}`,
      fix: `see what ${call.tool} says above; check that the ${TOOL_PACKAGES[call.tool] ?? call.tool} package works on this host`,
    });
  }
  return result;
}
