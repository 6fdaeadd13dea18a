// The versions of the host tools a bake stage runs: part of its key, so a tool upgrade rebuilds that stage.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { GPTMBR_BIN, SYSTEMD_BOOT_EFI } from '../disk/plan';

/** What the disk stage runs: staging (xz, zstd, setfattr), the filesystems, the partition table, the boot loaders. */
export const DISK_PACKAGES = ['attr', 'dosfstools', 'e2fsprogs', 'fdisk', 'mtools', 'syslinux', 'syslinux-common', 'systemd-boot-efi', 'xz-utils', 'zstd'];

/** Boot loader files copied onto every disk (their bytes are their version), and the package that brings each. */
const BOOT_FILES: readonly { path: string; pkg: string }[] = [
  { path: GPTMBR_BIN, pkg: 'syslinux-common' },
  { path: SYSTEMD_BOOT_EFI, pkg: 'systemd-boot-efi' },
];

/** The Debian package of each tool a target recipe names (src/cloudlet/targets/recipes.ts recipeTools). */
const TOOL_PACKAGES: Readonly<Record<string, string>> = { 'qemu-img': 'qemu-utils', gzip: 'gzip', xmllint: 'libxml2-utils' };

export function packagesOfTools(tools: readonly string[]): string[] {
  return [...new Set(tools.map((t) => TOOL_PACKAGES[t] ?? t))].sort();
}

export type ToolVersions = Record<string, string>;

/**
 * Installed versions of `packages` (one dpkg-query for all of them) and the sha256 of each boot loader
 * file; any that is missing fails here, once, naming every package to install.
 */
export async function toolVersions(system: System, packages: readonly string[]): Promise<ToolVersions> {
  const wanted = [...new Set(packages)].sort();
  const r = await system.exec('dpkg-query', ['-W', '-f=${Package}\t${db:Status-Abbrev}\t${Version}\n', ...wanted], { timeoutMs: 30_000 }).catch(() => undefined);
  if (!r) throw new AgentError('E_BAKE_TOOL', 'dpkg-query cannot be run: bake reads the versions of the Debian tools it uses from dpkg', { fix: 'run bake on Debian (or a Debian container) with the cloudlet package installed' });
  const versions: ToolVersions = {};
  for (const line of r.stdout.split('\n')) {
    const [pkg, status, version] = line.split('\t');
    if (pkg && status?.startsWith('ii') && version) versions[pkg.replace(/:.*$/, '')] = version;
  }
  const missing = wanted.filter((p) => versions[p] === undefined);
  for (const file of BOOT_FILES) {
    const bytes = await readFile(file.path).catch(() => undefined);
    if (bytes) versions[file.path] = createHash('sha256').update(bytes).digest('hex');
    else missing.push(file.pkg);
  }
  if (missing.length > 0) {
    const pkgs = [...new Set(missing)].sort().join(' ');
    throw new AgentError('E_BAKE_TOOL', `bake needs tools this machine lacks (Debian packages: ${pkgs})`, { fix: `apt-get install --no-install-recommends ${pkgs}` });
  }
  return versions;
}

/** The versions among `all` that belong to `packages` (a stage's key holds only the tools that stage runs). */
export function versionsOf(all: ToolVersions, packages: readonly string[]): ToolVersions {
  const out: ToolVersions = {};
  for (const p of packages) {
    const v = all[p];
    if (v !== undefined) out[p] = v;
  }
  return out;
}

/** Boot loader file hashes, part of the disk stage's tools. */
export function bootFileVersions(all: ToolVersions): ToolVersions {
  const out: ToolVersions = {};
  for (const f of BOOT_FILES) {
    const v = all[f.path];
    if (v !== undefined) out[f.path] = v;
  }
  return out;
}
