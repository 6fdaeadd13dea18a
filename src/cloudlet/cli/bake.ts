// `cloudlet bake`: an image (directory, tarball, OCI layout, docker archive) into bootable disks for every platform.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isSea } from 'node:sea';
import { AgentError, EXIT } from '../../errors';
import { boolFlag, printJson, stringFlag, type Command, type ParsedArgs } from '../../cli-kit/command';
import type { System } from '../../system/system';
import { createProgress, humanBytes } from '../bake/progress';
import { parseOptions, parseSize, parseSourceDateEpoch, parseTargetList, type BakeRequest } from '../bake/request';
import { runBake, type BakeReport } from '../bake/run-bake';
import { defaultCacheDir } from '../bake/stage-cache';
import { imageSource } from '../store/image-source';
import { storeDirOf, storeFlagDetail } from '../store/default-dir';
import { OPTION_SPECS, RECIPES } from '../targets';

/** The agent bake copies into the image: --agent, $CLOUDLET_AGENT, the one beside this executable, the installed one. */
function agentBinary(args: ParsedArgs, system: System): string {
  const given = stringFlag(args, 'agent') ?? system.env.CLOUDLET_AGENT;
  if (given) {
    if (!existsSync(given)) throw new AgentError('E_USAGE', `--agent ${given} does not exist`, { where: given, fix: 'build it (npm run build) or install the cloudlet-agent package' });
    return resolve(given);
  }
  const candidates = [...(isSea() ? [join(dirname(process.execPath), 'cloudlet-agent')] : []), '/usr/lib/cloudlet/cloudlet-agent'];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new AgentError('E_USAGE', `no cloudlet-agent executable to bake into the image (looked at ${candidates.join(', ')})`, {
      fix: 'install the cloudlet-agent package, or pass --agent dist/cloudlet-agent',
    });
  }
  return found;
}

async function request(args: ParsedArgs, system: System): Promise<BakeRequest> {
  const image = args.positionals[0];
  if (image === undefined || args.positionals.length > 1) {
    throw new AgentError('E_USAGE', image === undefined ? 'bake needs an IMAGE' : `bake takes one IMAGE, got ${args.positionals.length}`, {
      fix: 'cloudlet bake IMAGE --target raw --out DIR (see cloudlet bake --help)',
    });
  }
  const out = stringFlag(args, 'out');
  if (!out) throw new AgentError('E_USAGE', 'bake needs --out DIR', { fix: 'name the directory the outputs go to, e.g. --out ./out' });
  const size = stringFlag(args, 'size');
  const options = args.values.option;
  const sde = parseSourceDateEpoch(system.env.SOURCE_DATE_EPOCH);
  const source = await imageSource(image, { storeDir: () => storeDirOf(stringFlag(args, 'store'), system.env), ...(stringFlag(args, 'ref') ? { ref: stringFlag(args, 'ref') } : {}) });
  const manifestFile = stringFlag(args, 'manifest');
  const presetFile = stringFlag(args, 'preset');
  return {
    image: source.path,
    ...(source.ref ? { ref: source.ref } : {}),
    ...(source.digest ? { imageDigest: source.digest } : {}),
    targets: parseTargetList(stringFlag(args, 'target')),
    targetOptions: parseOptions(Array.isArray(options) ? options : []),
    out: resolve(out),
    cacheDir: resolve(stringFlag(args, 'cache') ?? defaultCacheDir(system.env)),
    agentBinary: agentBinary(args, system),
    ...(manifestFile ? { manifestFile: resolve(manifestFile) } : {}),
    ...(presetFile ? { presetFile: resolve(presetFile) } : {}),
    ...(size ? { sizeBytes: parseSize(size) } : {}),
    ...(sde !== undefined ? { sourceDateEpoch: sde } : {}),
    dryRun: boolFlag(args, 'dry-run'),
  };
}

function printText(system: System, report: BakeReport): void {
  const d = report.disk;
  if (report.dryRun) {
    system.out(`plan for ${report.image.path} (${report.image.digest.slice(0, 19)}...), SOURCE_DATE_EPOCH ${report.epoch}`);
    system.out(`disk ${d.cached ? '(cached)' : '(to build)'}:`);
    for (const line of d.lines ?? []) system.out(`  ${line}`);
    if (!d.cached) for (const c of d.commands ?? []) system.out(`  $ ${c}`);
    for (const t of report.planned ?? []) {
      system.out(`${t.target} ${t.cached ? '(cached)' : '(to convert)'}: ${t.outputs.join(', ')}`);
      if (!t.cached) for (const s of t.steps) system.out(`  ${s}`);
    }
    system.out('dry run: nothing was written');
    return;
  }
  for (const o of report.outputs) {
    for (const f of o.files) system.out(`${f.path}  ${humanBytes(f.bytes)}  sha256:${f.sha256}`);
  }
}

export const bakeCommand: Command = {
  name: 'bake',
  usage: 'IMAGE --target NAME[,NAME...] --out DIR [--manifest FILE] [--preset FILE] [--size SIZE] [--option KEY=VALUE ...] [--cache DIR] [--agent FILE] [--ref REF] [--store DIR] [--dry-run] [--json]',
  details: [
    'IMAGE             an image directory, a tarball (.tar, .tar.gz, .tar.zst, .tar.xz), an OCI image layout',
    '                  directory, or a docker/podman save archive (layers applied in order, whiteouts honoured);',
    '                  or, when no such path exists, an image of the store: NAME:VERSION, a digest or 12+ hex digits of one',
    `--target LIST     outputs, comma-separated: ${RECIPES.map((r) => r.name).join(', ')}`,
    ...RECIPES.map((r) => `                    ${r.name.padEnd(6)} ${r.summary}`),
    '--out DIR         where the outputs go (made if missing); nothing is written elsewhere but the cache',
    '--manifest FILE   the manifest, when the image does not carry it at /.cloudlet/manifest (it is put there)',
    '--preset FILE     user data baked in as the image\'s default (the "file" platform), checked against the',
    '                  config schema now; its secrets are never printed',
    '--size SIZE       the whole disk (e.g. 4G); default: the content plus headroom, as the plan reports',
    '--option K=V      a target setting, repeatable:',
    ...OPTION_SPECS.map((o) => `                    ${o.key}: ${o.help}`),
    '--cache DIR       stage cache (default $XDG_CACHE_HOME/cloudlet or ~/.cache/cloudlet): an unchanged bake is a',
    '                  cache hit, a new target converts only that target',
    '--agent FILE      the cloudlet-agent executable to bake in (default: beside this one, or the installed one)',
    '--ref REF         which image of an OCI layout or archive holding several (tag, name:tag or digest)',
    storeFlagDetail(18, 'the image store IMAGE is looked up in'),
    '--dry-run         print the plan (partitions, sizes, commands per target) and write nothing',
    '--json            the report (or the plan) as JSON',
    'Outputs are the same bytes for the same inputs: SOURCE_DATE_EPOCH (default: the newest mtime in the image)',
    'stamps every time, and every id on the disk derives from the input\'s digest.',
    'The disk: GPT, an ESP (systemd-boot for UEFI, syslinux for BIOS) and an ext4 root; the agent starts as init=.',
  ],
  examples: [
    'cloudlet bake ./rootfs --target raw,qcow2 --out ./out',
    'cloudlet bake debian.tar.zst --manifest manifest.json --preset site.json --target vmdk,ova,ami --out ./out',
    'cloudlet bake ./oci-layout --ref app:1.2 --target gce --size 10G --out ./out --dry-run',
    'cloudlet bake centos-gnome:2 --target qcow2 --out ./out',
  ],
  flags: {
    target: { type: 'string' },
    out: { type: 'string' },
    manifest: { type: 'string' },
    preset: { type: 'string' },
    size: { type: 'string' },
    option: { type: 'string', multiple: true },
    cache: { type: 'string' },
    agent: { type: 'string' },
    ref: { type: 'string' },
    store: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: true,
  async run(args, system) {
    const req = await request(args, system);
    const json = boolFlag(args, 'json');
    const progress = createProgress({ write: (t) => process.stderr.write(t), isTty: process.stderr.isTTY === true && !json, columns: process.stderr.columns ?? 80, now: () => system.monotonicMs() });
    const report = await runBake(req, system, progress);
    if (json) printJson(system, report);
    else printText(system, report);
    return EXIT.ok;
  },
};
