// Which repositories of a registry host are known to hold a blob (pushed there or pulled from there): derived data in <store>/cache/.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJsonText } from '../../manifest/json-text';

/** host -> digest -> repositories, most recent first */
export type Origins = Record<string, Record<string, string[]>>;

const FILE = 'registry-blobs.json';
const MAX_FILE = 16 * 1024 * 1024;
const MAX_REPOS = 8;

/** The cache; a missing, oversized or unreadable one is an empty one (it is only a hint). */
export async function loadOrigins(storeDir: string): Promise<Origins> {
  const bytes = await readFile(join(storeDir, 'cache', FILE)).catch(() => undefined);
  if (!bytes || bytes.length > MAX_FILE) return {};
  const parsed = parseJsonText(bytes.toString('utf8'), 8);
  return parsed.ok && parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value) ? (parsed.value as Origins) : {};
}

/** A repository of `host`, other than `repo`, known to hold `digest`. */
export function mountSource(origins: Origins, host: string, repo: string, digest: string): string | undefined {
  const repos = origins[host]?.[digest];
  return Array.isArray(repos) ? repos.find((r) => typeof r === 'string' && r !== repo) : undefined;
}

export function noteOrigins(origins: Origins, host: string, repo: string, digests: readonly string[]): Origins {
  const byDigest = { ...(origins[host] ?? {}) };
  for (const d of digests) {
    const before = Array.isArray(byDigest[d]) ? byDigest[d]!.filter((r) => r !== repo) : [];
    byDigest[d] = [repo, ...before].slice(0, MAX_REPOS);
  }
  return { ...origins, [host]: byDigest };
}

export async function saveOrigins(storeDir: string, origins: Origins): Promise<void> {
  const dir = join(storeDir, 'cache');
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${FILE}.${process.pid}.${Date.now()}`);
  await writeFile(temp, JSON.stringify(origins));
  await rename(temp, join(dir, FILE));
}
