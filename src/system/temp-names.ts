// Names of the agent's temp files, which carry the writer's boot and pid, and whether a temp file's writer is gone.

import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The kernel's id of this boot: a new random UUID at every boot, the same for every process. */
const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';
/** Written when the boot id cannot be read (no /proc yet): such a writer's boot is not known. */
const UNKNOWN_BOOT = 'unknownboot0';

/** `.<name>.cloudlet-<boot>-<pid>-<random>`; the name part may hold anything, even ".cloudlet-". */
const PATTERN = /^\.[\s\S]*\.cloudlet-([0-9a-f]{12}|unknownboot0)-([1-9][0-9]{0,9})-[0-9a-z]{1,16}$/;

let bootId: string | undefined;

/** The first 12 hex digits of this boot's id (48 bits: two boots never share them in practice). Only a success is kept. */
export function currentBoot(): string | undefined {
  if (bootId === undefined) {
    try {
      const id = readFileSync(BOOT_ID_FILE, 'utf8').trim().replace(/-/g, '').slice(0, 12);
      if (/^[0-9a-f]{12}$/.test(id)) bootId = id;
    } catch {
      // Not mounted yet (PID 1 before /proc): the name says so, and a later run judges it by its pid alone.
    }
  }
  return bootId;
}

/** A fresh temp name beside `path`; long names must still fit NAME_MAX (255) with the suffix. */
export function tempPath(path: string): string {
  const random = Math.random().toString(36).slice(2, 10) || '0';
  return join(dirname(path), `.${basename(path).slice(0, 200)}.cloudlet-${currentBoot() ?? UNKNOWN_BOOT}-${process.pid}-${random}`);
}

export interface TempWriter {
  /** undefined: written before /proc was there */
  boot: string | undefined;
  pid: number;
}

/** The writer named in a temp file's name; undefined for any other file. */
export function tempWriter(name: string): TempWriter | undefined {
  const m = PATTERN.exec(name);
  if (!m) return undefined;
  const [, boot = UNKNOWN_BOOT, pid = '0'] = m;
  return { boot: boot === UNKNOWN_BOOT ? undefined : boot, pid: Number(pid) };
}

export interface Now {
  boot: string | undefined;
  pid: number;
  /** whether a process with this pid runs now */
  alive(pid: number): boolean;
}

/**
 * True when the file is the agent's temp file and its writer is gone, so nothing will rename or remove it.
 * A writer of an earlier boot is gone whatever its pid (in PID 1 mode every boot's agent is pid 1). In
 * this boot, a writer is gone when no process has its pid; our own pid, and any live one, count as in use
 * (a reused pid keeps a stale file until the next boot, which is safe; removing a live writer's file is not).
 */
export function isStaleTemp(name: string, now: Now): boolean {
  const writer = tempWriter(name);
  if (!writer) return false;
  if (writer.boot !== undefined && now.boot !== undefined && writer.boot !== now.boot) return true;
  if (writer.pid === now.pid) return false;
  return !now.alive(writer.pid);
}

/** This process's view: this boot, this pid, and kill(pid, 0) for liveness. */
export function thisProcess(): Now {
  return { boot: currentBoot(), pid: process.pid, alive: pidAlive };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
