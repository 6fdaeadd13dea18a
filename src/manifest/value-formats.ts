// Pure checks and parsers for the manifest's small string formats: modes, owners, sizes.

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** "0640", "644", "1777": three or four octal digits. */
export function isOctalMode(mode: string): boolean {
  return /^[0-7]{3,4}$/.test(mode);
}

/** The mode as a number, e.g. "0640" -> 0o640; call isOctalMode first. */
export function parseOctalMode(mode: string): number {
  return parseInt(mode, 8);
}

const ID = '(?:[A-Za-z_][A-Za-z0-9._-]{0,31}\\$?|[0-9]{1,10})';
const OWNER = new RegExp(`^${ID}(?::${ID})?$`);

/** "root", "root:app", "0:0", "app:1000": a user and an optional group, each a name or a number. */
export function isOwner(owner: string): boolean {
  return OWNER.test(owner);
}

/**
 * A memory size in bytes: a number (decimals allowed, "1.5G") with an optional binary unit K, M, G or T
 * (case-insensitive, "MiB"/"MB" accepted as the same), e.g. "512M" -> 536870912. Undefined when malformed.
 */
export function parseMemorySize(size: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(size.trim());
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toUpperCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** Why a tmpfs size ("64M", "1g", "4096", "10%") is unacceptable, or undefined when it is fine. */
export function tmpfsSizeProblem(size: string): string | undefined {
  const percent = /^([0-9]+)%$/.exec(size);
  if (percent) {
    const n = Number(percent[1]);
    return n >= 1 && n <= 100 ? undefined : `"${size}" must be a percentage from 1% to 100%`;
  }
  const m = /^([0-9]+)([kmgKMG]?)$/.exec(size);
  if (!m) return `"${size}" is not a tmpfs size: use bytes with an optional k, m or g suffix ("64M") or a percentage ("10%")`;
  // tmpfs reads size=0 as "no limit", which is never what a number in a manifest means.
  if (Number(m[1]) === 0) return `"${size}" would mean no limit on tmpfs: use a positive size`;
  return undefined;
}
