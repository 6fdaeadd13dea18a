// Replaces the agent with another program (process.execve), after checking it can be executed at all.

import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { AgentError } from '../../errors';
import { flushStdio } from '../../system/stdio';

/** The PATH a handed-over program gets when its entry point does not set one. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Why `hostPath` cannot be executed, or undefined when it can. process.execve of a missing file
 * aborts the whole Node process instead of throwing, so this check is what turns that into an error.
 */
export async function notExecutable(hostPath: string): Promise<string | undefined> {
  try {
    const st = await stat(hostPath);
    if (!st.isFile()) return 'is not a regular file';
    await access(hostPath, constants.X_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not executable' : (err as Error).message;
  }
}

/**
 * Execs `file` with `argv` (argv[0] included) and `env`. Returns only by throwing: E_EXEC when the
 * target is not executable or execve itself fails. Standard output and error are flushed first:
 * lines still waiting for a slow pipe reader would die with this process image.
 */
export async function execInto(file: string, argv: string[], env: Record<string, string>, shownAs = file): Promise<never> {
  const problem = await notExecutable(file);
  if (problem) {
    throw new AgentError('E_EXEC', `cannot hand over to ${shownAs}: it ${problem}`, {
      where: shownAs,
      fix: `install ${shownAs} in the image (or correct the entry point) and make it executable`,
    });
  }
  const execve = process.execve;
  if (!execve) throw new AgentError('E_EXEC', `this Node.js (${process.version}) has no process.execve`, { where: shownAs, fix: 'build the agent with Node.js 24' });
  await flushStdio();
  try {
    execve.call(process, file, argv, env);
  } catch (err) {
    throw new AgentError('E_EXEC', `execve ${shownAs} failed: ${(err as Error).message}`, { where: shownAs, cause: err, fix: `check that ${shownAs} is a binary for this machine` });
  }
  throw new AgentError('E_EXEC', `execve ${shownAs} returned`, { where: shownAs });
}
