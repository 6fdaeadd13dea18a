// Running totals of one staging against its limits: members, bytes in, bytes out, and their ratio.

import type { InputLimits } from './limits';
import { badInput } from './input-errors';

const FIX_TRUSTED = 'if the input is trusted and really this large, raise the limit; otherwise do not use this input';

export class Budget {
  members = 0;
  /** Bytes read from files on disk (compressed, when they are). */
  bytesIn = 0;
  /** Bytes that came out of decompression (tar streams). */
  bytesOut = 0;

  constructor(readonly limits: InputLimits) {}

  countMember(where: string): void {
    if (++this.members > this.limits.maxMembers) {
      throw badInput(`more than ${this.limits.maxMembers} members in the image`, where, FIX_TRUSTED);
    }
  }

  countIn(n: number): void {
    this.bytesIn += n;
  }

  countOut(n: number, where: string): void {
    this.bytesOut += n;
    const { maxTotalBytes, maxRatio, ratioFloorBytes } = this.limits;
    if (this.bytesOut > maxTotalBytes) {
      throw badInput(`the image unpacks to more than ${maxTotalBytes} bytes`, where, FIX_TRUSTED);
    }
    if (this.bytesOut > ratioFloorBytes && this.bytesOut > maxRatio * Math.max(this.bytesIn, 1)) {
      throw badInput(
        `the image unpacks to more than ${maxRatio} times its compressed size (${this.bytesOut} bytes from ${this.bytesIn}): a decompression bomb?`,
        where,
        FIX_TRUSTED,
      );
    }
  }
}
