// Writes the derived ids and timestamp over the ones qemu-img drew at random, in place, so the same raw converts to the same bytes.

import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { AgentError } from '../../errors';
import type { PinValues } from './derived-ids';
import type { Pin } from './recipes';
import { pinVhdFooter, VHD_FOOTER_SIZE } from './vhd-footer';
import { parseVmdkHeader, SECTOR, setVmdkCid, VMDK_MAGIC } from './vmdk-descriptor';
import { metadataRegion, page83Offset, parseVhdxHeader, pinVhdxHeader, VHDX_HEADER_OFFSETS, VHDX_HEADER_SIZE, VHDX_REGION_TABLE_OFFSET, VHDX_TABLE_SIZE } from './vhdx-ids';

/** qemu-img writes a descriptor of a few KiB and a log of 1 MiB; anything far larger is not its output. */
const MAX_DESCRIPTOR = 1024 * 1024;
const MAX_LOG = 64 * 1024 * 1024;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) throw new Error(`short read: ${bytesRead} of ${length} bytes at ${position}`);
  return buf;
}

async function writeAt(fh: FileHandle, position: number, data: Buffer): Promise<void> {
  const { bytesWritten } = await fh.write(data, 0, data.length, position);
  if (bytesWritten !== data.length) throw new Error(`short write at ${position}`);
}

async function pinVmdk(fh: FileHandle, v: PinValues): Promise<void> {
  const h = parseVmdkHeader(await readAt(fh, 0, SECTOR));
  if (h.magic !== VMDK_MAGIC) throw new Error(`no VMDK sparse header (magic ${JSON.stringify(h.magic)})`);
  const length = h.descriptorSize * SECTOR;
  if (h.descriptorOffset === 0 || length === 0 || length > MAX_DESCRIPTOR) throw new Error('no embedded descriptor of a plausible size');
  const at = h.descriptorOffset * SECTOR;
  await writeAt(fh, at, setVmdkCid(await readAt(fh, at, length), v.vmdkCid));
}

async function pinVhd(fh: FileHandle, v: PinValues): Promise<void> {
  const size = (await fh.stat()).size;
  if (size < VHD_FOOTER_SIZE) throw new Error('shorter than a VHD footer');
  const at = size - VHD_FOOTER_SIZE;
  await writeAt(fh, at, pinVhdFooter(await readAt(fh, at, VHD_FOOTER_SIZE), { timestamp: v.vhdTimestamp, uniqueId: v.vhdUniqueId }));
}

async function pinVhdx(fh: FileHandle, v: PinValues): Promise<void> {
  const blocks = await Promise.all(VHDX_HEADER_OFFSETS.map((at) => readAt(fh, at, VHDX_HEADER_SIZE)));
  const headers = blocks.map(parseVhdxHeader);
  const [a, b] = headers;
  if (!a || !b || headers.some((h) => h.signature !== 'head' || !h.checksumOk)) throw new Error('the two VHDX headers are not both valid');
  if (headers.some((h) => !h.log.equals(Buffer.alloc(16)))) throw new Error('the VHDX has a log to replay');
  // The current header (larger sequence number) stays current.
  const current = a.sequence > b.sequence ? 0 : 1;
  for (const [i, at] of VHDX_HEADER_OFFSETS.entries()) {
    const block = blocks[i] as Buffer;
    await writeAt(fh, at, pinVhdxHeader(block, { sequence: i === current ? 2n : 1n, fileWrite: v.vhdxFileWrite, dataWrite: v.vhdxDataWrite }));
  }
  // The log is empty (no log GUID), but qemu leaves a stale entry with a random GUID in it: an empty log is all zeros.
  const log = headers[current] ?? a;
  if (log.logLength > MAX_LOG) throw new Error(`a VHDX log of ${log.logLength} bytes`);
  await writeAt(fh, log.logOffset, Buffer.alloc(log.logLength));
  const region = metadataRegion(await readAt(fh, VHDX_REGION_TABLE_OFFSET, VHDX_TABLE_SIZE));
  if (typeof region === 'string') throw new Error(region);
  const item = page83Offset(await readAt(fh, region.offset, VHDX_TABLE_SIZE));
  if (typeof item === 'string') throw new Error(item);
  await writeAt(fh, region.offset + item, v.vhdxDiskId);
}

const PINNERS: Record<Pin, (fh: FileHandle, v: PinValues) => Promise<void>> = { 'vmdk-cid': pinVmdk, 'vhd-footer': pinVhd, 'vhdx-ids': pinVhdx };

export async function applyPin(pin: Pin, file: string, values: PinValues): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await PINNERS[pin](fh, values);
    await fh.sync();
  } catch (err) {
    if (err instanceof AgentError) throw err;
    throw new AgentError('E_BAKE_OUTPUT', `${basename(file)}: cannot set its ids (${pin}): ${(err as Error).message}`, {
      where: file,
      fix: 'qemu-img wrote a file bake does not recognise; check `qemu-img --version` (bake is tested with 7.2)',
      cause: err,
    });
  } finally {
    await fh.close();
  }
}
