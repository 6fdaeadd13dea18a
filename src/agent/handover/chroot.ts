// Hands over to the chroot entry point: its command, with its env and workdir, inside the image root.

import { posix, resolve } from 'node:path';
import { AgentError } from '../../errors';
import type { ChrootEntrypoint } from '../../manifest/types';
import { requireTool } from '../../system/tools';
import { joinRoot } from '../../system/root-path';
import type { System } from '../../system/system';
import { DEFAULT_PATH, execInto, notExecutable } from './exec';

export interface ChrootExec {
  /** host path of the program to execve */
  file: string;
  argv: string[];
  env: Record<string, string>;
  /** the command as the image sees it, for messages */
  shownAs: string;
  /** host directory to change to before the exec (root "/" with a workdir: no chroot(1) to do it) */
  cwd?: string;
}

/**
 * Runs the entry point's command (or `overrideCmd`) inside `root`. With root "/" the command is
 * exec'd directly; otherwise through the host's chroot(1), which also works from a systemd unit or an
 * initramfs. Returns only by throwing E_EXEC / E_ENTRYPOINT_MISSING.
 */
export async function execChroot(system: System, root: string, entry: ChrootEntrypoint | undefined, overrideCmd?: string[]): Promise<never> {
  const plan = await planChroot(system, root, entry, overrideCmd);
  if (plan.cwd) process.chdir(plan.cwd);
  return execInto(plan.file, plan.argv, plan.env, plan.shownAs);
}

export async function planChroot(system: System, root: string, entry: ChrootEntrypoint | undefined, overrideCmd?: string[]): Promise<ChrootExec> {
  const command = overrideCmd ?? entry?.command;
  if (!command || command.length === 0 || !command[0]) {
    throw new AgentError('E_ENTRYPOINT_MISSING', 'the manifest has no chroot entry point and no command was given', {
      where: 'manifest entrypoints.chroot',
      fix: 'add "entrypoints": { "chroot": { "command": [...] } } to the manifest, or run "cloudlet-agent chroot -- CMD..."',
    });
  }
  const env = chrootEnv(system, entry?.env);
  const program = await resolveInImage(root, command[0], env.PATH ?? DEFAULT_PATH);
  const args = [program, ...command.slice(1)];
  const workdir = entry?.workdir;
  const hostRoot = resolve(root);
  if (hostRoot === '/') {
    return { file: program, argv: args, env, shownAs: program, ...(workdir ? { cwd: await joinRoot(root, workdir) } : {}) };
  }
  const chroot = await requireTool(system, 'chroot', 'E_EXEC');
  // chroot(1) always changes to the new "/", so a workdir needs a shell inside the image to cd there.
  const inner = workdir ? ['/bin/sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', workdir, ...args] : args;
  if (workdir && (await notExecutable(await joinRoot(root, '/bin/sh')))) {
    throw new AgentError('E_EXEC', `the chroot entry point sets workdir ${workdir}, which needs /bin/sh in the image`, {
      where: 'manifest entrypoints.chroot.workdir',
      fix: 'add a shell at /bin/sh to the image, or drop workdir and let the command change directory itself',
    });
  }
  return { file: chroot, argv: [chroot, hostRoot, ...inner], env, shownAs: program };
}

/** A clean environment: PATH, HOME and TERM, then the entry point's env on top. */
function chrootEnv(system: System, extra: Record<string, string> | undefined): Record<string, string> {
  const term = system.env.TERM;
  return { PATH: DEFAULT_PATH, HOME: '/', ...(term ? { TERM: term } : {}), ...(extra ?? {}) };
}

/** The image path of `name`: itself when absolute, else the first executable match on `path` in the image. */
async function resolveInImage(root: string, name: string, path: string): Promise<string> {
  const candidates = name.includes('/') ? [posix.resolve('/', name)] : path.split(':').filter((d) => d.startsWith('/')).map((d) => posix.join(d, name));
  for (const candidate of candidates) {
    if (!(await notExecutable(await joinRoot(root, candidate)))) return candidate;
  }
  throw new AgentError('E_EXEC', `the command ${name} is not an executable in the image`, {
    where: name.includes('/') ? name : `${name} on PATH ${path}`,
    fix: 'install it in the image or correct entrypoints.chroot.command',
  });
}
