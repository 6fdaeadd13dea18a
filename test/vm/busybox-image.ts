// Assembles a per-test busybox root image: the cached base, the agent under test, a manifest, test files.

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeExt4 } from './disks';
import type { BusyboxKit } from './setup-run';

export interface BusyboxImageSpec {
  manifest: unknown;
  /** image path -> content */
  files?: Record<string, string>;
  /** files the real init prints on the console */
  show?: string[];
  /** "path text" lines the real init appends after printing */
  write?: string[];
  /** a secret the real init looks for in the agent's files (it prints only file names) */
  secret?: string;
}

/** Writes `<dir>/root.img` (ext4, label root) with the agent at /usr/lib/cloudlet/cloudlet-agent and the real init at /sbin/real-init. */
export function makeBusyboxImage(kit: BusyboxKit, agent: string, dir: string, spec: BusyboxImageSpec): string {
  const root = join(dir, 'rootfs');
  // cp -a: the base holds device nodes and absolute symlinks that must be copied as they are.
  const cp = spawnSync('cp', ['-a', kit.base, root], { encoding: 'utf8' });
  if (cp.status !== 0) throw new Error(`cp -a ${kit.base} ${root} failed: ${cp.stderr}`);
  const put = (path: string, content: string, mode = 0o644): void => {
    const host = join(root, path);
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, content);
    chmodSync(host, mode);
  };
  mkdirSync(join(root, 'usr/lib/cloudlet'), { recursive: true });
  copyFileSync(agent, join(root, 'usr/lib/cloudlet/cloudlet-agent'));
  chmodSync(join(root, 'usr/lib/cloudlet/cloudlet-agent'), 0o755);
  symlinkSync('../lib/cloudlet/cloudlet-agent', join(root, 'usr/sbin/cloudlet-agent'));
  put('/.cloudlet/manifest', JSON.stringify(spec.manifest, null, 2));
  copyFileSync(join(__dirname, 'guest', 'real-init.sh'), join(root, 'sbin/real-init'));
  chmodSync(join(root, 'sbin/real-init'), 0o755);
  put('/vmtest/show', `${(spec.show ?? []).join('\n')}\n`);
  if (spec.write) put('/vmtest/write', `${spec.write.join('\n')}\n`);
  if (spec.secret) put('/vmtest/secret', `${spec.secret}\n`, 0o600);
  for (const [path, content] of Object.entries(spec.files ?? {})) put(path, content);
  const img = join(dir, 'root.img');
  makeExt4(img, '384M', 'root', root);
  return img;
}
