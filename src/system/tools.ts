// Finds and runs the host programs the agent needs (mount, cp, mkfs.*, chroot, ip, modprobe ...) without relying on PATH.

import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError, type ErrorCode } from '../errors';
import type { ExecResult, System } from './system';

// As PID 1 the kernel gives no PATH, and an initramfs chroot may have a short one; these are where
// Debian, dracut and busybox images keep tools.
const STANDARD_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** How long one tool may run: mkfs of a large volume or cp of a big seed takes minutes, never hours. */
const TOOL_TIMEOUT_MS = 300_000;

function searchDirs(system: System): string[] {
  return [...new Set([...(system.env.PATH ?? '').split(':').filter((d) => d.startsWith('/')), ...STANDARD_DIRS])];
}

/**
 * The absolute path of `name` on the agent's PATH or in the standard directories, or null. These are
 * the host's tools: with --root / (init, initramfs chroot, systemd) the host is the image itself; with
 * --root DIR the image's binaries may not even run here.
 */
export async function findTool(system: System, name: string): Promise<string | null> {
  for (const dir of searchDirs(system)) {
    const path = join(dir, name);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // not here; try the next directory
    }
  }
  return null;
}

/** Like findTool, but a missing tool is an error with `code` that says where it was looked for. */
export async function requireTool(system: System, name: string, code: ErrorCode): Promise<string> {
  const path = await findTool(system, name);
  if (path !== null) return path;
  throw new AgentError(code, `${name} is not installed`, {
    where: searchDirs(system).join(':'),
    fix: `install ${name} in the image (util-linux/coreutils/e2fsprogs, or busybox)`,
  });
}

/** Runs a tool and turns a missing tool or a non-zero exit into an error with `code` that quotes its stderr. */
export async function runTool(system: System, name: string, args: string[], code: ErrorCode, fix: string): Promise<ExecResult> {
  const file = await requireTool(system, name, code);
  const r = await system.exec(file, args, { timeoutMs: TOOL_TIMEOUT_MS });
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join('; ') || (r.signal ? `killed by ${r.signal}` : `exit ${r.code}`);
    throw new AgentError(code, `${name} ${args.join(' ')} failed: ${why}`, { where: args[args.length - 1] ?? name, fix });
  }
  return r;
}
