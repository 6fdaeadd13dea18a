// Positional reads from a block device or image file, shared by the ISO9660 and FAT readers.

import type { FileHandle } from 'node:fs/promises';
import { AgentError } from '../errors';

export class Volume {
  constructor(
    private readonly fh: FileHandle,
    readonly path: string,
  ) {}

  /** Exactly `length` bytes at `offset`; a short read means the filesystem points past the device. */
  async read(offset: number, length: number): Promise<Buffer> {
    const buf = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.fh.read(buf, filled, length - filled, offset + filled);
      if (bytesRead === 0) throw corrupt(this.path, `it points past the end of the device (offset ${offset + filled})`);
      filled += bytesRead;
    }
    return buf;
  }
}

/** The filesystem on a config disk cannot be read by the agent's own reader (corrupt or a feature it lacks). */
export class UnreadableVolume extends AgentError {}

export function corrupt(path: string, why: string): UnreadableVolume {
  return new UnreadableVolume('E_PLATFORM', `cannot read the filesystem on ${path}: ${why}`, {
    where: path,
    fix: 'recreate the config disk with cloud-localds, genisoimage or mkfs.vfat + mcopy',
  });
}
