// Memory sizes as manifests write them ("512M", "1.5G", bytes) and as people read them.

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

// Binary units, as tmpfs size=, systemd and `free -m` use them: 1M is 1048576 bytes; "MiB" and "MB" mean the same.
const SIZE = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i;

/** Bytes of a size like "512M", "1.5G", "1024K", "1073741824" or a number of bytes; undefined if unreadable. */
export function parseMemorySize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const m = SIZE.exec(value.trim());
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toUpperCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** "478.5 MiB", "2 GiB", "512 KiB", "100 B": for tables, never parsed back. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[i]}`;
}

/**
 * The kernel keeps part of the RAM a machine is given for itself (its code, the page array, firmware
 * areas, crash kernel), so MemTotal reads a few percent below it: 2-6% on EC2, QEMU and Xen guests,
 * around 40 MiB on a 512 MiB guest. A requirement of M is met when MemTotal >= M - memoryAllowance(M).
 */
export function memoryAllowance(requiredBytes: number): number {
  return Math.max(64 * 1024 ** 2, Math.floor(requiredBytes / 10));
}
