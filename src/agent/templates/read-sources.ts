// Reads what planning needs from the image: pristine copies, current targets, accounts, include files.

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors';
import type { TemplateSpec } from '../../manifest/types';
import { FILES_AT_ONCE, mapBounded } from '../../system/bounded-map';
import { isWithin } from '../../system/image-path';
import { imagePathOf, joinRoot } from '../../system/root-path';
import { TEMPLATE_STORE, pristinePath, type IncludeEntry } from './includes';
import { parseAccounts, type Accounts } from './owners';
import type { FileState, TemplateInput } from './plan';

export interface LoadedTemplate extends TemplateInput {
  /** host path of the target (symlinks resolved inside the root) */
  targetHost: string;
  /** host path of the pristine copy in the image's store */
  pristineHost: string;
  /** host path of the pristine copy kept under the run directory when the image is read-only */
  runPristineHost: string;
}

/** Where copies live outside the image when its root is read-only (host path, under System.hostPaths.run). */
export function runStore(runDir: string, kind: 'pristine' | 'rendered', imagePath: string): string {
  return join(runDir, 'cloudlet', kind, imagePath);
}

/** The agent's own directory: the manifest and the pristine copies. No template may be written there. */
const AGENT_DIR = '/.cloudlet';

export async function loadTemplates(root: string, runDir: string, specs: readonly TemplateSpec[]): Promise<LoadedTemplate[]> {
  const agentDir = await joinRoot(root, AGENT_DIR);
  // Bounded: an image may ship thousands of templates, and each one reads up to three files at once.
  return mapBounded(specs, FILES_AT_ONCE, async (spec) => {
    const targetHost = await joinRoot(root, spec.path);
    // The manifest's checks refuse such paths as written; a symlink in the image can still lead there.
    if (isWithin(agentDir, targetHost)) {
      throw new AgentError('E_TEMPLATE', `template ${spec.path} leads to ${imagePathOf(root, targetHost)}, inside ${AGENT_DIR}: rendering it would rewrite the agent's own files`, {
        where: spec.path,
        fix: `render the file where it is used, not through a symlink into ${AGENT_DIR}`,
      });
    }
    const pristineHost = await joinRoot(root, pristinePath(spec.path));
    const runPristineHost = runStore(runDir, 'pristine', spec.path);
    const [target, pristine, runPristine] = await Promise.all([
      readState(targetHost, spec.path),
      readState(pristineHost, pristinePath(spec.path)),
      readState(runPristineHost, pristinePath(spec.path)),
    ]);
    return { spec, target, pristine: pristine ?? runPristine, targetHost, pristineHost, runPristineHost };
  });
}

/** A regular file's bytes, mode and owner; null when it does not exist. */
async function readState(host: string, imagePath: string): Promise<FileState | null> {
  try {
    const st = await stat(host);
    if (!st.isFile()) {
      throw new AgentError('E_TEMPLATE', `${imagePath} is not a regular file`, { where: imagePath, fix: 'a template must be a regular file' });
    }
    return { content: await readFile(host), mode: st.mode, uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (err instanceof AgentError) throw err;
    throw unreadable(imagePath, err);
  }
}

/** The image's own /etc/passwd and /etc/group (names in owners mean what they mean in the image). */
export async function loadAccounts(root: string): Promise<Accounts> {
  const read = async (p: string): Promise<string | null> => {
    try {
      return await readFile(await joinRoot(root, p), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  };
  return parseAccounts(await read('/etc/passwd'), await read('/etc/group'));
}

/** One include file, read only if it resolves inside the image's template store. */
export async function loadInclude(root: string, imagePath: string): Promise<IncludeEntry> {
  let host: string;
  let store: string;
  try {
    host = await joinRoot(root, imagePath);
    store = await joinRoot(root, TEMPLATE_STORE);
  } catch (err) {
    if (err instanceof AgentError && err.code === 'E_PATH_ESCAPE') return { refused: err.message };
    throw err;
  }
  if (!isWithin(store, host)) {
    return { refused: `${imagePath} leads to ${imagePathOf(root, host)}, outside ${TEMPLATE_STORE}` };
  }
  try {
    return { text: await readFile(host, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { missing: true };
    if (code === 'EISDIR') return { refused: `${imagePath} is a directory` };
    throw unreadable(imagePath, err);
  }
}

function unreadable(imagePath: string, err: unknown): AgentError {
  return new AgentError('E_IO', `cannot read ${imagePath}: ${(err as Error).message}`, {
    where: imagePath,
    fix: 'check that the agent runs as root and the filesystem has no I/O errors (dmesg)',
    cause: err,
  });
}
