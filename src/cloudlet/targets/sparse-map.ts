// The data runs of a file seen block by block: what a sparse tar member stores, and nothing for blocks of zeros.

import type { Region } from './tar-header';

/**
 * Collects runs of non-zero blocks in file order. The map always ends at the file's size: GNU tar
 * (and GCE's importer) give the file its length from a final zero-length run when it ends in a hole.
 */
export class RegionBuilder {
  private readonly regions: Region[] = [];
  private next = 0;

  /** One block: `length` bytes at `offset`, right after the previous block. */
  add(offset: number, length: number, zero: boolean): void {
    if (offset !== this.next) throw new RangeError(`blocks must come in order: expected offset ${this.next}, got ${offset}`);
    this.next = offset + length;
    if (zero) return;
    const last = this.regions[this.regions.length - 1];
    if (last && last.offset + last.length === offset) last.length += length;
    else this.regions.push({ offset, length });
  }

  finish(realSize: number): Region[] {
    if (realSize < this.next) throw new RangeError(`the file is ${realSize} bytes but blocks reached ${this.next}`);
    const last = this.regions[this.regions.length - 1];
    const end = last ? last.offset + last.length : 0;
    return end === realSize && last ? [...this.regions] : [...this.regions, { offset: realSize, length: 0 }];
  }
}

/**
 * The ranges `qemu-img map --output=json` reports as reading zero (holes), sorted: a scan may skip
 * them unread. They only save reading; which blocks count as data is still decided by content.
 */
export function zeroExtents(mapJson: string): Region[] {
  const entries: unknown = JSON.parse(mapJson);
  if (!Array.isArray(entries)) throw new Error('qemu-img map did not print a list');
  const zeros: Region[] = [];
  for (const e of entries as Record<string, unknown>[]) {
    if (e.zero !== true || typeof e.start !== 'number' || typeof e.length !== 'number') continue;
    const last = zeros[zeros.length - 1];
    if (last && last.offset + last.length === e.start) last.length += e.length;
    else zeros.push({ offset: e.start, length: e.length });
  }
  return zeros.sort((a, b) => a.offset - b.offset);
}
