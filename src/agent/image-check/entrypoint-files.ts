// What the handover would find missing: the init entry point's program, the kernel entry point's kernel and initrd.

import { stat } from 'node:fs/promises';
import { AgentError } from '../../errors';
import type { NormalizedManifest } from '../../manifest/types';
import { joinRoot } from '../../system/root-path';
import { notExecutable } from '../handover/exec';
import { initArgv } from '../handover/init';
import type { ImageProblem } from './image-problem';

/** Problems of the entry points' files inside the image at `root`, each at its JSON path. */
export async function entrypointFileProblems(root: string, manifest: NormalizedManifest): Promise<ImageProblem[]> {
  const problems: ImageProblem[] = [];
  const { init, kernel } = manifest.entrypoints;
  if (init) {
    const { path } = initArgv(init, []);
    const at = init.path !== undefined ? '/entrypoints/init/path' : '/entrypoints/init';
    const why = await hostProblem(root, path, notExecutable);
    if (why) {
      problems.push({
        path: at,
        message: `the init entry point ${path} ${why}: "init" mode would stop at the handover (E_EXEC)`,
        fix: `ship an executable ${path} in the image${init.path === undefined ? ', or name the image\'s init in entrypoints.init.path' : ', or correct entrypoints.init.path'}`,
      });
    }
  }
  if (kernel) {
    for (const key of ['path', 'initrd'] as const) {
      const path = kernel[key];
      if (path === undefined) continue;
      const why = await hostProblem(root, path, notRegularFile);
      if (why) {
        problems.push({
          path: `/entrypoints/kernel/${key}`,
          message: `the kernel entry point's ${key === 'path' ? 'kernel' : 'initrd'} ${path} ${why}: a bake has nothing to boot`,
          fix: `install the ${key === 'path' ? 'kernel' : 'initrd'} in the image at ${path}, or correct entrypoints.kernel.${key}`,
        });
      }
    }
  }
  return problems;
}

/** Why the image path cannot serve, by `check` on its host path; a path that cannot be followed inside the root says why. */
async function hostProblem(root: string, imagePath: string, check: (host: string) => Promise<string | undefined>): Promise<string | undefined> {
  let host: string;
  try {
    host = await joinRoot(root, imagePath);
  } catch (err) {
    if (err instanceof AgentError) return `cannot be followed in the image (${err.message})`;
    throw err;
  }
  return check(host);
}

async function notRegularFile(host: string): Promise<string | undefined> {
  try {
    return (await stat(host)).isFile() ? undefined : 'is not a regular file';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : (err as Error).message;
  }
}
