// Checks a converted disk (alone, or as a member inside an OVA) with qemu-img and by reading its metadata: format, size, ids, footer.

import { open, stat } from 'node:fs/promises';
import type { System } from '../../system/system';
import { runHostTool } from './host-tools';
import type { TargetPlan } from './plan';
import { MiB, type DiskCheck } from './recipes';
import { parseVhdFooter, VHD_FOOTER_SIZE, vhdFooterProblems } from './vhd-footer';
import { metadataRegion, page83Offset, parseVhdxHeader, VHDX_HEADER_OFFSETS, VHDX_HEADER_SIZE, VHDX_REGION_TABLE_OFFSET, VHDX_TABLE_SIZE, vhdxProblems } from './vhdx-ids';
import { descriptorText, parseVmdkDescriptor, parseVmdkHeader, SECTOR, vmdkProblems } from './vmdk-descriptor';

/** A disk file, or a byte range of an archive that holds one. */
export interface DiskAt {
  path: string;
  offset: number;
  size: number;
}

const MAX_DESCRIPTOR = 1024 * 1024;
/** `qemu-img info` of one image prints a few KiB; more is not an answer. */
const MAX_INFO = 1024 * 1024;

export async function diskAt(path: string): Promise<DiskAt> {
  return { path, offset: 0, size: (await stat(path)).size };
}

/** How qemu-img is told what to open: never probed, and through a raw window when the disk sits inside an archive. */
function imageArgs(plan: TargetPlan, at: DiskAt): string[] {
  if (at.offset === 0) return ['-f', plan.disk.format, at.path];
  const spec = { driver: plan.disk.format, file: { driver: 'raw', offset: at.offset, size: at.size, file: { driver: 'file', filename: at.path } } };
  return [`json:${JSON.stringify(spec)}`];
}

async function readRange(at: DiskAt, offset: number, length: number): Promise<Buffer> {
  if (offset < 0 || offset + length > at.size) throw new Error(`bytes ${offset}-${offset + length} lie outside the ${at.size}-byte disk`);
  const fh = await open(at.path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, at.offset + offset);
    if (bytesRead !== length) throw new Error(`short read at ${offset}`);
    return buf;
  } finally {
    await fh.close();
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').slice(-2).join('; ');
}

async function qemuInfoProblems(plan: TargetPlan, at: DiskAt, system: System): Promise<string[]> {
  const r = await runHostTool(system, 'qemu-img', ['info', '--output=json', ...imageArgs(plan, at)]);
  if (r.code !== 0) return [`qemu-img cannot open it as ${plan.disk.format}: ${lastLine(r.stderr)}`];
  let info: Record<string, unknown>;
  try {
    if (r.stdout.length > MAX_INFO) throw new Error('too long');
    info = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    return ['qemu-img info did not answer in JSON'];
  }
  const problems: string[] = [];
  if (info.format !== plan.disk.format) problems.push(`qemu-img reads format ${String(info.format)}, not ${plan.disk.format}`);
  if (info['virtual-size'] !== plan.virtualSize) problems.push(`virtual size is ${String(info['virtual-size'])}, expected ${plan.virtualSize}`);
  return problems;
}

async function vmdkCheck(plan: TargetPlan, at: DiskAt): Promise<string[]> {
  const header = parseVmdkHeader(await readRange(at, 0, SECTOR));
  const length = header.descriptorSize * SECTOR;
  if (length === 0 || length > MAX_DESCRIPTOR) return [`descriptor of ${length} bytes`];
  const descriptor = parseVmdkDescriptor(descriptorText(await readRange(at, header.descriptorOffset * SECTOR, length)));
  const adapterType = plan.disk.qemuOptions.find((o) => o.startsWith('adapter_type='))?.slice('adapter_type='.length) ?? '';
  return vmdkProblems(header, descriptor, { virtualSize: plan.virtualSize, cid: plan.pins.vmdkCid, adapterType });
}

async function vhdCheck(plan: TargetPlan, at: DiskAt): Promise<string[]> {
  if (at.size < VHD_FOOTER_SIZE) return ['shorter than a VHD footer'];
  const footer = parseVhdFooter(await readRange(at, at.size - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE));
  const problems = vhdFooterProblems(footer, at.size, plan.virtualSize, MiB);
  if (problems.length > 0) return problems;
  if (footer.timestamp !== plan.pins.vhdTimestamp || !footer.uniqueId.equals(plan.pins.vhdUniqueId)) problems.push('footer timestamp or unique id is not the one derived from the input');
  return problems;
}

async function vhdxCheck(plan: TargetPlan, at: DiskAt): Promise<string[]> {
  const signature = (await readRange(at, 0, 8)).toString('latin1');
  const headers = await Promise.all(VHDX_HEADER_OFFSETS.map(async (o) => parseVhdxHeader(await readRange(at, o, VHDX_HEADER_SIZE))));
  const region = metadataRegion(await readRange(at, VHDX_REGION_TABLE_OFFSET, VHDX_TABLE_SIZE));
  let diskId: Buffer | string = typeof region === 'string' ? region : '';
  if (typeof region !== 'string') {
    const item = page83Offset(await readRange(at, region.offset, VHDX_TABLE_SIZE));
    diskId = typeof item === 'string' ? item : await readRange(at, region.offset + item, 16);
  }
  const p = plan.pins;
  return vhdxProblems(signature, headers, diskId, { fileWrite: p.vhdxFileWrite, dataWrite: p.vhdxDataWrite, diskId: p.vhdxDiskId });
}

async function qemuCheck(plan: TargetPlan, at: DiskAt, system: System): Promise<string[]> {
  const r = await runHostTool(system, 'qemu-img', ['check', ...imageArgs(plan, at)]);
  return r.code === 0 ? [] : [`qemu-img check finds errors: ${lastLine(r.stdout + r.stderr)}`];
}

const CHECKS: Record<Exclude<DiskCheck, 'qemu-check'>, (plan: TargetPlan, at: DiskAt) => Promise<string[]>> = {
  'vmdk-descriptor': vmdkCheck,
  'vhd-footer': vhdCheck,
  'vhdx-headers': vhdxCheck,
};

/** Everything wrong with the disk: the format's own metadata (the most precise words), then qemu-img's view. */
export async function diskProblems(plan: TargetPlan, at: DiskAt, system: System): Promise<string[]> {
  const problems: string[] = [];
  for (const check of plan.disk.checks) {
    if (check === 'qemu-check') continue;
    try {
      problems.push(...(await CHECKS[check](plan, at)));
    } catch (err) {
      problems.push(`${check}: ${(err as Error).message}`);
    }
  }
  problems.push(...(await qemuInfoProblems(plan, at, system)));
  if (problems.length === 0 && plan.disk.checks.includes('qemu-check')) problems.push(...(await qemuCheck(plan, at, system)));
  return problems;
}
