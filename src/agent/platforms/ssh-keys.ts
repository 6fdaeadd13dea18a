// The platform's SSH public keys in one form for templates: each line checked, bounded, and its user kept. Pure.

/** A key line as a platform gave it. */
export interface RawSshKey {
  /** the line, in authorized_keys syntax without options ("ssh-ed25519 AAAA... comment") */
  line: string;
  /** the account the platform meant it for (GCE "user:" prefix, Azure key path) */
  user?: string;
  /** where the line came from, for warnings ("public-keys/0", "meta_data.json keys[1]") */
  where: string;
}

export interface SshKey {
  type: string;
  /** the base64 key blob */
  key: string;
  comment: string;
  user?: string;
  /** the line as given (GCE's "user:" prefix removed): what an authorized_keys file holds */
  line: string;
}

/** More than this is no longer a list of people's keys; the rest are skipped with a warning. */
export const MAX_SSH_KEYS = 100;
/** An RSA key of 16384 bits is under 3 KiB; certificates are larger, but not by this much. */
export const MAX_SSH_KEY_LINE = 16 << 10;

/** Warnings beyond this many are counted, not listed. */
const MAX_LISTED = 10;

const BASE_TYPES = [
  'ssh-rsa', 'ssh-dss', 'ssh-ed25519', 'ssh-ed448',
  'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'sk-ecdsa-sha2-nistp256@openssh.com', 'sk-ssh-ed25519@openssh.com',
];
const TYPES = new Set([...BASE_TYPES, ...BASE_TYPES.map((t) => `${t.replace(/@openssh\.com$/, '')}-cert-v01@openssh.com`)]);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const CONTROL = /[\x00-\x1f\x7f]/;

export interface SshKeysResult {
  keys: SshKey[];
  /** one line each: where, and why it was skipped (never the key itself) */
  skipped: string[];
}

/**
 * Checks each line as sshd would read a key (a known type, base64 whose blob names the same type),
 * drops duplicates, and keeps at most MAX_SSH_KEYS. A bad line is skipped with a warning, never fatal.
 * `now` decides GCE keys that carry an expiry ("google-ssh {"expireOn": ...}").
 */
export function normalizeSshKeys(raw: readonly RawSshKey[], now: Date): SshKeysResult {
  const keys: SshKey[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  let i = 0;
  for (; i < raw.length && keys.length < MAX_SSH_KEYS; i++) {
    const r = raw[i] as RawSshKey;
    const parsed = parseKeyLine(r, now);
    if (typeof parsed === 'string') {
      problems.push(`${r.where}: ${parsed}`);
      continue;
    }
    const id = `${parsed.user ?? ''} ${parsed.type} ${parsed.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    keys.push(parsed);
  }
  const skipped = problems.length > MAX_LISTED ? [...problems.slice(0, MAX_LISTED), `${problems.length - MAX_LISTED} more lines skipped`] : problems;
  if (i < raw.length) skipped.push(`${raw.length - i} more key lines skipped: at most ${MAX_SSH_KEYS} keys are taken`);
  return { keys, skipped };
}

/** The key, or why the line is not one. */
function parseKeyLine(r: RawSshKey, now: Date): SshKey | string {
  if (r.line.length > MAX_SSH_KEY_LINE) return `longer than ${MAX_SSH_KEY_LINE} characters`;
  const line = r.line.trim();
  if (line === '') return 'empty';
  if (CONTROL.test(line)) return 'holds control characters';
  const [type = '', key = '', ...rest] = line.split(/[ \t]+/);
  if (!TYPES.has(type)) return `"${type.slice(0, 40)}" is not an SSH public key type (authorized_keys options are not taken from metadata)`;
  if (!BASE64.test(key) || key.length % 4 !== 0) return 'the key is not base64';
  if (blobType(key) !== type) return `the key's data is not a ${type} key`;
  const comment = rest.join(' ');
  const expired = expiry(comment, now);
  if (expired) return `expired on ${expired}`;
  if (r.user !== undefined && !/^[a-z_][a-z0-9_.-]{0,31}\$?$/i.test(r.user)) return `"${r.user.slice(0, 40)}" is not a user name`;
  return { type, key, comment, ...(r.user !== undefined ? { user: r.user } : {}), line };
}

/** The type a key blob names in its first field (a uint32 length and that many bytes). */
function blobType(key: string): string | undefined {
  const blob = Buffer.from(key, 'base64');
  if (blob.length < 4) return undefined;
  const n = blob.readUInt32BE(0);
  return n > 0 && n <= 64 && blob.length >= 4 + n ? blob.subarray(4, 4 + n).toString('latin1') : undefined;
}

/** GCE's managed keys end in `google-ssh {"userName":...,"expireOn":"<ISO time>"}`; the time, when passed. */
function expiry(comment: string, now: Date): string | undefined {
  const m = /^google-ssh (\{.*\})$/.exec(comment);
  if (!m) return undefined;
  try {
    const expireOn = (JSON.parse(m[1] as string) as { expireOn?: unknown }).expireOn;
    if (typeof expireOn !== 'string') return undefined;
    const t = Date.parse(expireOn);
    return Number.isFinite(t) && t <= now.getTime() ? expireOn : undefined;
  } catch {
    return undefined;
  }
}

/** Lines of a multi-line text value (NoCloud "public-keys: |", GCE "ssh-keys"), blank ones and # comments left out. */
export function keyLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
}
