// Readies a staged image tree for its disk: the agent installed, the manifest and preset in place, mtimes clamped.

import { lstat, lutimes, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { applyInstallAction } from '../../install/apply';
import { BOOT_FILES } from '../../install/boot-files';
import { planInstall, type InstallAction } from '../../install/install-plan';
import { MANIFEST_PATH } from '../../manifest/load';
import { joinRoot } from '../../system/root-path';
import { PRESET_PATH } from './preset';

/** Where the image says it carries the agent's initramfs hook (then bake does not make the agent init). */
const HOOK_MARKERS = ['/usr/share/initramfs-tools/hooks/cloudlet-agent', '/usr/lib/dracut/modules.d/90cloudlet-agent/module-setup.sh'];
const SYSTEMD_MARKERS = ['/usr/lib/systemd/systemd', '/lib/systemd/systemd'];

export interface TreeFacts {
  hasHook: boolean;
  hasSystemd: boolean;
}

async function anyFile(root: string, paths: readonly string[]): Promise<boolean> {
  for (const p of paths) {
    const host = await joinRoot(root, p).catch(() => undefined);
    if (host && (await lstat(host).then((s) => s.isFile(), () => false))) return true;
  }
  return false;
}

export async function treeFacts(root: string): Promise<TreeFacts> {
  return { hasHook: await anyFile(root, HOOK_MARKERS), hasSystemd: await anyFile(root, SYSTEMD_MARKERS) };
}

export interface PrepareInput {
  agentBinary: string;
  facts: TreeFacts;
  /** manifest given off-band (--manifest): its bytes go to /.cloudlet/manifest */
  manifestBytes?: Buffer;
  presetBytes?: Buffer;
}

/** The pure list of what bake writes into the tree; `--dry-run` prints it. */
export function planPrepare(input: PrepareInput): InstallAction[] {
  const actions = planInstall({ binary: input.agentBinary, hook: undefined, files: BOOT_FILES, hasSystemd: input.facts.hasSystemd });
  if (input.manifestBytes) actions.push({ kind: 'file', path: MANIFEST_PATH, text: input.manifestBytes.toString('utf8'), mode: 0o644 });
  // Readable by root only: it may hold secrets, as the agent's own files do.
  if (input.presetBytes) actions.push({ kind: 'file', path: PRESET_PATH, text: input.presetBytes.toString('utf8'), mode: 0o600 });
  return actions;
}

export async function applyPrepare(root: string, actions: readonly InstallAction[]): Promise<void> {
  for (const a of actions) await applyInstallAction(root, a);
}

/**
 * Lowers every time newer than `epoch` to it (older ones are kept), as SOURCE_DATE_EPOCH asks: files
 * bake wrote and directories it changed then carry the same time on every bake.
 */
export async function clampMtimes(root: string, epoch: number): Promise<void> {
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const host = join(dir, entry.name);
      if (entry.isDirectory()) await walk(host);
      const st = await lstat(host);
      if (st.mtimeMs / 1000 > epoch || st.atimeMs / 1000 > epoch) await lutimes(host, Math.min(st.atimeMs / 1000, epoch), Math.min(st.mtimeMs / 1000, epoch));
    }
  };
  await walk(root);
  const st = await lstat(root);
  if (st.mtimeMs / 1000 > epoch) await lutimes(root, epoch, epoch);
}
