// Finds the programs the mount step runs (mount, cp, mkfs.*) on the machine the agent runs on.

import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { AgentError } from '../errors';
import type { ExecResult, System } from '../system/system';

// As PID 1 or in an initramfs chroot PATH may be unset: look in the usual places too.
const FALLBACK_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * The absolute path of `name`. These are the host's tools: with --root / (init, initramfs chroot,
 * systemd) the host is the image itself; with --root DIR the image's binaries may not even run here.
 */
export async function findTool(system: System, name: string): Promise<string> {
  const dirs = [...(system.env.PATH ?? '').split(':').filter((d) => d.startsWith('/')), ...FALLBACK_DIRS];
  for (const dir of dirs) {
    const candidate = `${dir}/${name}`;
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  throw new AgentError('E_MOUNT', `${name} is not installed`, {
    where: dirs.join(':'),
    fix: `install ${name} in the image (util-linux/coreutils/e2fsprogs, or busybox)`,
  });
}

/** Runs a tool and turns a non-zero exit into an error that quotes its stderr. */
export async function runTool(system: System, name: string, args: string[], code: 'E_MOUNT' | 'E_STORAGE', fix: string): Promise<ExecResult> {
  const file = await findTool(system, name);
  const r = await system.exec(file, args, { timeoutMs: 300_000 });
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join('; ') || (r.signal ? `killed by ${r.signal}` : `exit ${r.code}`);
    throw new AgentError(code, `${name} ${args.join(' ')} failed: ${why}`, { where: args[args.length - 1] ?? name, fix });
  }
  return r;
}
