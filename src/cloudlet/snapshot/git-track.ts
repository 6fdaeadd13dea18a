// Tracking with Git: an image's manifest, listing and digest written into a repository and committed with the git CLI.

import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';

export interface TrackedImage {
  /** NAME:VERSION; NAME (which may hold "/") names the image's directory in the repository. */
  ref: string;
  digest: string;
  cloudletManifest: unknown | null;
  listing: string;
  counts: { added: number; removed: number; changed: number };
}

export interface TrackReport {
  repo: string;
  dir: string;
  /** The new commit, or undefined when the files were already as committed. */
  commit?: string;
}

/** The fallback identity, used only when the repository has none configured (then passed with -c, never stored). */
const IDENTITY = ['-c', 'user.name=cloudlet', '-c', 'user.email=cloudlet@localhost'];
const TIMEOUT_MS = 120_000;

/** Writes NAME/manifest.json, NAME/tree.txt and NAME/image into `repo` (made with git init if missing) and commits them. */
export async function trackInGit(system: System, repo: string, image: TrackedImage): Promise<TrackReport> {
  const name = image.ref.slice(0, image.ref.lastIndexOf(':'));
  if (!(await stat(repo).catch(() => undefined))) {
    await mkdir(repo, { recursive: true });
    await git(system, repo, ['init', '-q']);
  }
  const top = (await git(system, repo, ['rev-parse', '--show-toplevel'])).trim();
  await mkdir(join(repo, name), { recursive: true });
  const files = { 'manifest.json': `${JSON.stringify(image.cloudletManifest, null, 2)}\n`, 'tree.txt': image.listing, image: imageFile(image.ref, image.digest) };
  for (const [file, text] of Object.entries(files)) await writeFile(join(repo, name, file), text);
  const paths = Object.keys(files).map((f) => `${name}/${f}`);
  await git(system, repo, ['add', '--', ...paths]);
  const unchanged = await system.exec('git', ['-C', repo, 'diff', '--cached', '--quiet', '--', ...paths], { timeoutMs: TIMEOUT_MS });
  if (unchanged.code === 0) return { repo: top, dir: name };
  const { added, removed, changed } = image.counts;
  const message = `${image.ref} ${image.digest}\n\n${added} added, ${removed} removed, ${changed} changed\n`;
  await git(system, repo, [...(await hasIdentity(system, repo) ? [] : IDENTITY), 'commit', '-q', '-m', message, '--', ...paths]);
  return { repo: top, dir: name, commit: (await git(system, repo, ['rev-parse', 'HEAD'])).trim() };
}

/** Refuses, before anything is stored, a REPO that exists but is not a Git work tree (a missing one is made later). */
export async function checkRepo(system: System, repo: string): Promise<void> {
  if (!(await stat(repo).catch(() => undefined))) return;
  const r = await system.exec('git', ['-C', repo, 'rev-parse', '--show-toplevel'], { timeoutMs: TIMEOUT_MS }).catch(() => undefined);
  if (r?.code !== 0) {
    throw new AgentError('E_USAGE', `--git ${repo} is not a Git work tree`, { where: repo, fix: 'name a Git repository (or a directory that does not exist yet: it is made with git init); install git if it is missing' });
  }
}

/** The `image` file: what `cloudlet checkout --git` reads back. */
export function imageFile(ref: string, digest: string): string {
  return `digest ${digest}\nref ${ref}\n`;
}

/** The digest in the `image` file of NAME at a revision of the repository (REV:NAME). */
export async function trackedDigest(system: System, repo: string, revName: string): Promise<string> {
  const colon = revName.indexOf(':');
  if (colon <= 0 || colon === revName.length - 1) {
    throw new AgentError('E_USAGE', `"${revName}" is not REV:NAME`, { fix: 'name a revision and an image directory of the repository, e.g. HEAD~2:web or main:apps/web' });
  }
  const text = await git(system, repo, ['show', `${revName}/image`]);
  const m = /^digest (sha256:[0-9a-f]{64})$/m.exec(text);
  if (!m) throw new AgentError('E_REF', `${revName}/image in ${repo} names no digest`, { where: `${repo} ${revName}/image`, fix: 'the file is written by cloudlet snapshot --git; restore it from the history' });
  return m[1] as string;
}

async function hasIdentity(system: System, repo: string): Promise<boolean> {
  for (const key of ['user.name', 'user.email']) {
    const r = await system.exec('git', ['-C', repo, 'config', '--get', key], { timeoutMs: TIMEOUT_MS });
    if (r.code !== 0 || r.stdout.trim() === '') return false;
  }
  return true;
}

async function git(system: System, repo: string, args: string[]): Promise<string> {
  let r;
  try {
    r = await system.exec('git', ['-C', repo, ...args], { timeoutMs: TIMEOUT_MS });
  } catch (err) {
    throw new AgentError('E_BAKE_TOOL', 'cannot run git', { where: repo, fix: 'install the Debian package git', cause: err });
  }
  if (r.code !== 0) {
    throw new AgentError('E_IO', `git ${args[0]} failed in ${repo}: ${r.stderr.trim().split('\n').slice(0, 3).join('; ')}`, { where: repo, fix: 'check that the directory is a Git work tree you can write to' });
  }
  return r.stdout;
}
