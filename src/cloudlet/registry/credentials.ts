// Finds the credentials for a registry host in the usual files (containers auth.json, docker config.json).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJsonText } from '../../manifest/json-text';

export interface Credentials {
  username: string;
  password: string;
  /** the file they came from, for messages (never the values) */
  source: string;
}

const MAX_FILE = 1024 * 1024;

/** The files looked at, first match wins: $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json, ~/.docker/config.json. */
export function authFiles(env: Readonly<Record<string, string | undefined>>): string[] {
  const home = env.HOME;
  return [
    env.REGISTRY_AUTH_FILE,
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : undefined,
    home ? join(home, '.config', 'containers', 'auth.json') : undefined,
    home ? join(home, '.docker', 'config.json') : undefined,
  ].filter((f): f is string => !!f);
}

/** "https://host/v1/" and "host/ns" keys as host[/path] without scheme or trailing slash. */
function normaliseKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').replace(/\/v[12]$/, '');
}

/**
 * The entry for `host`/`repo` in one parsed file: an entry for the repository or one of its namespaces
 * wins over the host's own, as containers-auth.json(5) says.
 */
export function pickAuth(doc: unknown, host: string, repo: string): { username: string; password: string } | undefined {
  const auths = (doc as { auths?: unknown } | null)?.auths;
  if (!auths || typeof auths !== 'object') return undefined;
  const wanted = `${host}/${repo}`;
  let best: { len: number; auth: string } | undefined;
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    const k = normaliseKey(key);
    if (k !== host && !(k.startsWith(`${host}/`) && (wanted === k || wanted.startsWith(`${k}/`)))) continue;
    const auth = (entry as { auth?: unknown } | null)?.auth;
    if (typeof auth !== 'string' || auth === '') continue;
    if (!best || k.length > best.len) best = { len: k.length, auth };
  }
  if (!best) return undefined;
  const plain = Buffer.from(best.auth, 'base64').toString('utf8');
  const colon = plain.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
}

/** The first file that has an entry for the host; unreadable or malformed files are passed over, as other tools do. */
export async function findCredentials(env: Readonly<Record<string, string | undefined>>, host: string, repo: string): Promise<Credentials | undefined> {
  for (const file of authFiles(env)) {
    const bytes = await readFile(file).catch(() => undefined);
    if (!bytes || bytes.length > MAX_FILE) continue;
    const parsed = parseJsonText(bytes.toString('utf8'));
    if (!parsed.ok) continue;
    const found = pickAuth(parsed.value, host, repo);
    if (found) return { ...found, source: file };
  }
  return undefined;
}
