// Unpacks one tar file (a tarball, or a layer with whiteouts) into the staging tree and checks its digests.

import type { System } from '../../system/system';
import type { Budget } from './budget';
import { ByteReader } from './byte-reader';
import type { Compression } from './compression';
import type { Extractor } from './extractor';
import { openInput } from './input-stream';
import { planMember } from './layer-plan';
import { readTar } from './tar-reader';
import { badInput } from './input-errors';

export interface StageContext {
  extractor: Extractor;
  budget: Budget;
  system: System;
}

export interface TarFile {
  path: string;
  /** Names the archive (and layer) in errors. */
  name: string;
  /** Apply whiteouts (image layers) or take every member literally (tarballs). */
  layered: boolean;
  compression?: Compression;
  /** What the bytes must be: the blob digest and size (sha256:hex), and the diff id of the tar inside. */
  digest?: string;
  size?: number;
  diffId?: string;
}

/** Applies the tar in `file`; returns the sha256 (hex) and length of the file's bytes. */
export async function applyTarFile(file: TarFile, ctx: StageContext): Promise<{ sha256: string; bytes: number }> {
  const input = await openInput(file.path, ctx.budget, ctx.system, file.name, {
    ...(file.compression ? { compression: file.compression } : {}),
    plainHash: file.diffId !== undefined,
  });
  const reader = new ByteReader(input.chunks);
  ctx.extractor.begin(file.name);
  try {
    for await (const member of readTar(reader, ctx.budget, file.name)) {
      await ctx.extractor.apply(member, planMember(member.entry, file.layered, file.name));
    }
    // Padding and anything after the end marker still count towards the digests.
    await reader.drain();
  } finally {
    await reader.close();
  }
  await ctx.extractor.end();
  const raw = input.raw();
  const fix = 'the blob is damaged or was changed; fetch or export the image again';
  if (file.size !== undefined && raw.bytes !== file.size) throw badInput(`${raw.bytes} bytes, but its descriptor says ${file.size}`, file.name, fix);
  if (file.digest !== undefined && `sha256:${raw.sha256}` !== file.digest) throw badInput(`content does not match its digest (sha256:${raw.sha256})`, file.name, fix);
  if (file.diffId !== undefined && `sha256:${input.plain()}` !== file.diffId) {
    throw badInput(`unpacked content does not match the diff id ${file.diffId} in the image config`, file.name, fix);
  }
  return raw;
}
