// Where each platform keeps SSH public keys in its metadata, read into key lines (checked later by ssh-keys.ts). Pure.

import { keyLines, type RawSshKey } from './ssh-keys';

/** A text of lines, a list of them, or a mapping of names to either (NoCloud `public-keys`, OpenStack `public_keys`). */
export function keysFromValue(value: unknown, where: string): RawSshKey[] {
  if (typeof value === 'string') return keyLines(value).map((line, i) => ({ line, where: `${where} line ${i + 1}` }));
  if (Array.isArray(value)) return value.flatMap((v, i) => keysFromValue(v, `${where}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => keysFromValue(v, `${where}.${k}`));
  return [];
}

/** OpenStack meta_data.json: `keys` (type "ssh", data) and the older `public_keys` mapping; x509 entries are not SSH keys. */
export function openstackKeys(meta: Record<string, unknown>): RawSshKey[] {
  const keys = Array.isArray(meta.keys) ? meta.keys : [];
  const fromKeys = keys.flatMap((k: unknown, i): RawSshKey[] => {
    const entry = k as { type?: unknown; data?: unknown };
    if (typeof entry !== 'object' || entry === null || (entry.type !== undefined && entry.type !== 'ssh')) return [];
    return keysFromValue(entry.data, `meta_data.json keys[${i}]`);
  });
  return [...fromKeys, ...keysFromValue(meta.public_keys, 'meta_data.json public_keys')];
}

/** GCE `ssh-keys` attributes: lines of "user:ssh-ed25519 AAAA... comment". */
export function gceKeys(text: string, where: string): RawSshKey[] {
  return keyLines(text).map((entry, i) => {
    const colon = entry.indexOf(':');
    const at = `${where} line ${i + 1}`;
    // Without "user:" the line is not GCE's format; it is checked as a bare key (and so refused if it is neither).
    return colon > 0 && !/\s/.test(entry.slice(0, colon)) ? { line: entry.slice(colon + 1), user: entry.slice(0, colon), where: at } : { line: entry, where: at };
  });
}

/** Azure IMDS `compute.publicKeys`: { keyData, path } with the path naming the user's authorized_keys. */
export function azureKeys(meta: Record<string, unknown>): RawSshKey[] {
  const compute = meta.compute as { publicKeys?: unknown } | undefined;
  const list = Array.isArray(compute?.publicKeys) ? compute.publicKeys : [];
  return list.flatMap((k: unknown, i): RawSshKey[] => {
    const { keyData, path } = (k ?? {}) as { keyData?: unknown; path?: unknown };
    const user = typeof path === 'string' ? /^\/home\/([^/]+)\/\.ssh\/authorized_keys$/.exec(path)?.[1] : undefined;
    return keysFromValue(keyData, `compute.publicKeys[${i}]`).map((r) => (user === undefined ? r : { ...r, user }));
  });
}
