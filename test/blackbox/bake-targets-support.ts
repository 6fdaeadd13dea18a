// Helpers for the bake targets' blackbox tests: a small partitioned raw disk, host tools, and reading outputs back.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

const MiB = 1024 * 1024;

export interface Tool {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tool(file: string, args: string[], input?: Buffer): Tool {
  const r = spawnSync(file, args, { input, encoding: 'utf8', maxBuffer: 64 * MiB, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function mustTool(file: string, args: string[], input?: Buffer): string {
  const r = tool(file, args, input);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Bytes that look like data, the same on every run. */
function pattern(seed: string, length: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; parts.length * 32 < length; i++) parts.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(parts).subarray(0, length);
}

/**
 * A GPT disk of 6 MiB + 64 KiB (not a whole MiB, so the VHD and GCE targets must pad it) with an ESP
 * and a root partition, data in both, holes between.
 */
export function makeRawDisk(dir: string): { path: string; size: number } {
  const path = join(dir, 'disk.raw');
  const size = 6 * MiB + 64 * 1024;
  mustTool('truncate', ['-s', String(size), path]);
  mustTool('sfdisk', ['--quiet', path], Buffer.from('label: gpt\nstart=2048, size=4096, type=uefi, name=esp\nstart=6144, type=linux, name=root\n'));
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, pattern('esp', 64 * 1024), 0, 64 * 1024, 1 * MiB);
    writeSync(fd, pattern('root', 300 * 1024), 0, 300 * 1024, 3 * MiB + 4096);
    writeSync(fd, pattern('tail', 4096), 0, 4096, 5 * MiB);
  } finally {
    closeSync(fd);
  }
  return { path, size };
}

export function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function qemuInfo(path: string, format: string): { format: string; 'virtual-size': number; 'format-specific'?: { data?: Record<string, unknown> } } {
  return JSON.parse(mustTool('qemu-img', ['info', '--output=json', '-f', format, path]));
}

/** `qemu-img compare` of a converted disk against the raw it came from (a padded tail must read as zeros). */
export function sameContent(raw: string, path: string, format: string): boolean {
  const r = tool('qemu-img', ['compare', '-f', 'raw', '-F', format, raw, path]);
  if (r.code !== 0 && r.code !== 1) throw new Error(`qemu-img compare failed: ${r.stderr}`);
  return r.code === 0;
}

/** Overwrites bytes of a file in place. */
export function patchFile(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}
