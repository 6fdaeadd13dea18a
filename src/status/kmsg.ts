// Copies console lines into the kernel log (/dev/kmsg) in early boot, where they survive into dmesg and the journal.

import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface KernelLog {
  write(text: string, problem: boolean): void;
  close(): void;
}

/** kmsg refuses records longer than about 1 KiB. */
const MAX_RECORD = 900;

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
      const record = `<${problem ? 3 : 6}>cloudlet-agent: ${text}`.slice(0, MAX_RECORD) + '\n';
      try {
        writeSync(fd, record);
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
