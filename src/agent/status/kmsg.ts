// Copies console lines into the kernel log (/dev/kmsg) in early boot, where they survive into dmesg and the journal.

import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface KernelLog {
  write(text: string, problem: boolean): void;
  close(): void;
}

/** kmsg refuses records longer than about 1 KiB: bytes, not characters. */
const MAX_RECORD_BYTES = 900;

/** undefined when there is no writable kmsg (containers, tests): the console still has the lines. */
export function openKmsg(dev: string): KernelLog | undefined {
  let fd: number;
  try {
    fd = openSync(join(dev, 'kmsg'), 'w');
  } catch {
    return undefined;
  }
  let open = true;
  return {
    write(text, problem) {
      if (!open) return;
      // <3> err for failures, <6> info for the rest, as the kernel's own priorities.
      try {
        writeSync(fd, record(`<${problem ? 3 : 6}>cloudlet-agent: ${text}`));
      } catch {
        open = false;
      }
    },
    close() {
      if (!open) return;
      open = false;
      try {
        closeSync(fd);
      } catch {
        // already gone
      }
    },
  };
}

/** One record, cut to what kmsg takes, never inside a UTF-8 sequence; a refused write would end the copy. */
function record(line: string): string {
  if (Buffer.byteLength(line) <= MAX_RECORD_BYTES) return line + '\n';
  let cut = Buffer.from(line).subarray(0, MAX_RECORD_BYTES).toString('utf8');
  // A sequence cut in half decodes to U+FFFD at the end: drop it.
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return cut + '\n';
}
