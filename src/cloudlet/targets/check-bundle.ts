// Checks the bundles after they are written: the OVA's members, order, descriptor, manifest and disk; the GCE tar.gz's header, member and size.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { System } from '../../system/system';
import { diskProblems } from './check-disk';
import { runHostTool } from './host-tools';
import { OVF_QUERIES, ovfProblems, parseManifest, type OvfFacts } from './ovf';
import type { TargetPlan } from './plan';
import { GiB } from './recipes';
import { readTar, type TarListing, type TarMember } from './tar-read';

const MAX_OVF = 1024 * 1024;
const MAX_MF = 64 * 1024;

function memberProblems(plan: TargetPlan, m: TarMember, format: 'ustar' | 'oldgnu'): string[] {
  const h = m.header;
  const problems: string[] = [];
  if (h.format !== format) problems.push(`${h.name} is not in ${format} format`);
  if (h.mtime !== plan.ctx.mtime || h.uid !== 0 || h.gid !== 0) problems.push(`${h.name} is not stamped with the bake's time and root owner`);
  return problems;
}

async function ovfFacts(text: Buffer, system: System): Promise<OvfFacts | string> {
  const wellFormed = await runHostTool(system, 'xmllint', ['--noout', '--nonet', '-'], text);
  if (wellFormed.code !== 0) return `the descriptor is not well-formed XML: ${wellFormed.stderr.trim().split('\n')[0] ?? ''}`;
  const keys = Object.keys(OVF_QUERIES) as (keyof OvfFacts)[];
  const query = `concat(${keys.map((k) => OVF_QUERIES[k]).join(`, '|', `)})`;
  const r = await runHostTool(system, 'xmllint', ['--nonet', '--xpath', query, '-'], text);
  const values = r.stdout.replace(/\n$/, '').split('|');
  if (r.code !== 0 || values.length !== keys.length) return 'xmllint cannot read the descriptor\'s disk reference';
  return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? ''])) as OvfFacts;
}

export async function ovaProblems(plan: TargetPlan, path: string, system: System): Promise<string[]> {
  const [ovfName = ''] = plan.ovaMembers;
  const mfName = plan.ovaMembers.find((m) => m.endsWith('.mf'));
  const keep: Record<string, number> = { [ovfName]: MAX_OVF, ...(mfName ? { [mfName]: MAX_MF } : {}) };
  const file = createReadStream(path);
  const listing = await readTar(file, { maxMembers: plan.ovaMembers.length + 4, keep }).finally(() => file.destroy());
  const problems = [...listing.problems];
  const names = listing.members.map((m) => m.header.name);
  if (names.join('\n') !== plan.ovaMembers.join('\n')) {
    return [...problems, `members are ${names.join(', ') || 'none'}; expected ${plan.ovaMembers.join(', ')} (the descriptor first, as OVF requires)`];
  }
  for (const m of listing.members) problems.push(...memberProblems(plan, m, 'ustar'));
  const member = (name: string | undefined) => listing.members.find((m) => m.header.name === name);
  const ovf = member(ovfName);
  const disk = member(plan.diskName);
  if (!ovf?.data || !disk) return problems;
  const facts = await ovfFacts(ovf.data, system);
  if (typeof facts === 'string') problems.push(facts);
  else {
    const o = plan.ctx.options;
    problems.push(...ovfProblems(facts, { diskFile: plan.diskName, diskBytes: disk.header.size, capacity: plan.virtualSize, controller: o['ova.controller'] }).map((p) => `the descriptor ${p}`));
  }
  const mf = member(mfName);
  if (mf?.data) {
    const sums = parseManifest(mf.data.toString('utf8'));
    if (typeof sums === 'string') problems.push(sums);
    else {
      for (const m of [ovf, disk]) if (sums.get(m.header.name) !== m.sha256) problems.push(`the manifest's SHA256 of ${m.header.name} does not match it`);
      if (sums.size !== 2) problems.push(`the manifest lists ${sums.size} files, not 2`);
    }
  }
  problems.push(...(await diskProblems(plan, { path, offset: disk.dataOffset, size: disk.header.size }, system)).map((p) => `${disk.header.name}: ${p}`));
  return problems;
}

async function gzipHeaderProblems(path: string): Promise<string[]> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(10);
    await fh.read(head, 0, 10, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b || head[2] !== 8) return ['not a gzip file'];
    const problems: string[] = [];
    if (((head[3] ?? 0) & 0x08) !== 0) problems.push('the gzip header stores a file name');
    if (head.readUInt32LE(4) !== 0) problems.push('the gzip header stores a timestamp');
    return problems;
  } finally {
    await fh.close();
  }
}

function sparseMapProblems(m: TarMember): string[] {
  let end = 0;
  let stored = 0;
  for (const r of m.sparse) {
    if (r.offset < end || r.offset + r.length > m.header.realSize) return ['its sparse map is out of order or past the end'];
    end = r.offset + r.length;
    stored += r.length;
  }
  if (stored !== m.header.size) return [`its sparse map covers ${stored} bytes, the member stores ${m.header.size}`];
  if (end !== m.header.realSize) return ['its sparse map does not reach the end of the disk'];
  return [];
}

export async function gceProblems(plan: TargetPlan, path: string): Promise<string[]> {
  const problems = await gzipHeaderProblems(path);
  if (problems.includes('not a gzip file')) return problems;
  const file = createReadStream(path);
  const gunzip = createGunzip();
  file.on('error', (err) => gunzip.destroy(err)).pipe(gunzip);
  let listing: TarListing;
  try {
    listing = await readTar(gunzip, { maxMembers: 4, keep: {} });
  } catch (err) {
    return [...problems, `the gzip stream is damaged: ${(err as Error).message}`];
  } finally {
    gunzip.destroy();
    file.destroy();
  }
  problems.push(...listing.problems);
  const [member, ...extra] = listing.members;
  if (!member || extra.length > 0 || member.header.name !== plan.diskName) {
    return [...problems, `members are ${listing.members.map((m) => m.header.name).join(', ') || 'none'}; GCE expects ${plan.diskName} alone`];
  }
  problems.push(...memberProblems(plan, member, 'oldgnu'));
  const h = member.header;
  if (h.typeflag !== 'S' && h.typeflag !== '0') problems.push(`${h.name} is not a regular file`);
  if (h.typeflag === 'S') problems.push(...sparseMapProblems(member).map((p) => `${h.name}: ${p}`));
  if (h.realSize !== plan.virtualSize) problems.push(`${h.name} is ${h.realSize} bytes, expected ${plan.virtualSize}`);
  if (h.realSize % GiB !== 0) problems.push(`${h.name} is ${h.realSize} bytes, not a whole number of GiB`);
  return problems;
}
