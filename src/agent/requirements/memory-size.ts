// Memory sizes as people read them, and how far below a required size MemTotal may read.

export { parseMemorySize } from '../../manifest/value-formats';

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
 * areas, crash kernel), so MemTotal reads below it: a Debian 6.1 cloud kernel under QEMU shows
 * 470 MiB of 512 MiB (8% less) and 1980 MiB of 2048 MiB (3% less).
 * A requirement of M is met when MemTotal >= M - memoryAllowance(M).
 */
export function memoryAllowance(requiredBytes: number): number {
  // Never more than half: a requirement below 128M still means something.
  return Math.min(Math.floor(requiredBytes / 2), Math.max(64 * 1024 ** 2, Math.floor(requiredBytes / 10)));
}
