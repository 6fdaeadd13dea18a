// What a conversion knows of the bake besides the raw disk: output name, seed digest, timestamp, arch, options; and its validation.

import { AgentError, type Problem } from '../../errors';
import type { TargetOptions } from './options';

export interface TargetContext {
  /** base of every output file name and the machine name inside descriptors */
  name: string;
  /**
   * sha256:hex that seeds every identifier the outputs carry (VMDK CID, VHD/VHDX ids); the raw disk
   * stage's key is the right one, so another disk of the same image gets other ids
   */
  digest: string;
  /** seconds since the epoch stamped on archive members and the VHD footer (SOURCE_DATE_EPOCH or the input's newest mtime) */
  mtime: number;
  arch: 'x86_64' | 'aarch64';
  /** one line saying what the image is, for descriptors and the AMI; the name when absent */
  description?: string;
  /** the kernel command line the disk's boot loaders pass; a PVH domain's default */
  cmdline?: string;
  options: TargetOptions;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** Printable ASCII without quotes or backslashes: safe inside xl strings, shell single quotes and XML once escaped. */
const LINE = /^[\x20\x21\x23-\x26\x28-\x5b\x5d-\x7e]{1,256}$/;
/** What an xl config can hold between its double quotes. */
export const XL_SAFE_CMDLINE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,2048}$/;
/** Tar and VHD timestamps hold 33 and 32 bits; nothing later than this needs a disk image. */
const MAX_MTIME = 2 ** 32 - 1;

/** Every problem of a context at once, as E_BAKE_TARGET. */
export function validateContext(ctx: TargetContext): void {
  const problems: Problem[] = [];
  if (!NAME.test(ctx.name)) problems.push({ path: 'name', message: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit' });
  if (!DIGEST.test(ctx.digest)) problems.push({ path: 'digest', message: 'must be sha256: and 64 lowercase hex digits' });
  if (!Number.isInteger(ctx.mtime) || ctx.mtime < 0 || ctx.mtime > MAX_MTIME) problems.push({ path: 'mtime', message: `must be whole seconds from 0 to ${MAX_MTIME}` });
  if (ctx.arch !== 'x86_64' && ctx.arch !== 'aarch64') problems.push({ path: 'arch', message: 'must be x86_64 or aarch64' });
  if (ctx.description !== undefined && !LINE.test(ctx.description)) problems.push({ path: 'description', message: 'must be 1-256 printable ASCII characters without quotes or backslashes' });
  if (problems.length > 0) {
    throw new AgentError('E_BAKE_TARGET', 'the outputs cannot be named or stamped as asked', {
      problems,
      fix: 'give the image a plain name (e.g. hello-1.2.0) and check SOURCE_DATE_EPOCH',
    });
  }
}

export function describeImage(ctx: TargetContext): string {
  return ctx.description ?? ctx.name;
}
