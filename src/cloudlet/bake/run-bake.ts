// `cloudlet bake` from start to end: keys for every stage, cache hits reused, misses built, outputs published.

import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { describeDisk, diskCommands, DRY_RUN_PATHS } from '../disk';
import { convert, describe as describeTarget, optionsFor, recipeTools, type Recipe, type TargetContext } from '../targets';
import { sha256File } from '../targets/file-digest';
import { buildPlannedDisk, DISK_FILE, outputName, planImageDisk, readDiskFacts, type DiskFacts, type PlannedDisk } from './disk-stage';
import { DigestMemo } from './input-digest';
import { humanBytes, type ProgressSink } from './progress';
import { intactFiles, publish, recordFiles, type EntryFile } from './publish';
import type { BakeRequest } from './request';
import { StageCache } from './stage-cache';
import { stageKey } from './stage-key';
import { bootFileVersions, DISK_PACKAGES, packagesOfTools, toolVersions, versionsOf } from './tool-versions';

/** Bumped when bake itself changes what it writes for the same inputs, so old cache entries stop matching. */
export const BAKE_FORMAT = 1;

export interface OutputReport {
  target: string;
  key: string;
  cached: boolean;
  files: { path: string; role: string; bytes: number; sha256: string }[];
}

export interface BakeReport {
  dryRun: boolean;
  image: { path: string; digest: string };
  epoch: number;
  disk: { key: string; cached: boolean; bytes?: number; plan?: DiskFacts['plan']; lines?: string[]; commands?: string[] };
  outputs: OutputReport[];
  /** dry runs: what each missing target would run */
  planned?: { target: string; key: string; cached: boolean; outputs: string[]; steps: string[] }[];
}

async function fileSha(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new AgentError('E_BAKE_INPUT', `cannot read ${path}: ${err.code === 'ENOENT' ? 'it does not exist' : err.message}`, { where: path, fix: 'check the path' });
  });
  return createHash('sha256').update(bytes).digest('hex');
}

/** Printable ASCII without quotes or backslashes, as descriptors and xl configs take it; anything else is left out. */
function safeDescription(text: string | undefined): string | undefined {
  return text !== undefined && /^[\x20\x21\x23-\x26\x28-\x5b\x5d-\x7e]{1,256}$/.test(text) ? text : undefined;
}

function targetContext(facts: DiskFacts, diskKey: string, epoch: number, req: BakeRequest): TargetContext {
  const description = safeDescription(facts.description);
  return {
    name: outputName(facts),
    digest: diskKey,
    mtime: epoch,
    arch: 'x86_64',
    ...(description ? { description } : {}),
    cmdline: facts.plan.cmdline,
    options: req.targetOptions,
  };
}

export async function runBake(req: BakeRequest, system: System, progress: ProgressSink): Promise<BakeReport> {
  const cache = new StageCache(req.cacheDir);
  await cache.sweep();
  const memo = await DigestMemo.load(join(req.cacheDir, 'memo'));
  const packages = [...DISK_PACKAGES, ...req.targets.flatMap((r) => packagesOfTools(recipeTools(r)))];
  const [tools, input, agent, manifest, preset] = await Promise.all([
    toolVersions(system, packages),
    req.imageDigest !== undefined ? { digest: req.imageDigest } : memo.digest(req.image, system),
    memo.digest(req.agentBinary, system),
    fileSha(req.manifestFile),
    fileSha(req.presetFile),
  ]);
  await memo.save();
  const what = { input: input.digest, ref: req.ref, manifest, preset, agent: agent.digest };
  const seed = stageKey('seed', what);
  // Without SOURCE_DATE_EPOCH the epoch is the newest mtime inside the image: a function of the input, known once staged.
  const diskInputs = { format: BAKE_FORMAT, ...what, size: req.sizeBytes, epoch: req.sourceDateEpoch ?? 'newest-mtime', tools: { ...versionsOf(tools, DISK_PACKAGES), ...bootFileVersions(tools) } };
  const diskKey = stageKey('disk', diskInputs);
  const report: BakeReport = { dryRun: req.dryRun, image: { path: req.image, digest: input.digest }, epoch: 0, disk: { key: diskKey, cached: false }, outputs: [] };

  let diskEntry = await cache.lookup('disk', diskKey);
  if (diskEntry && !(await intactFiles(diskEntry.dir))) {
    await rm(diskEntry.dir, { recursive: true, force: true });
    diskEntry = undefined;
  }
  let facts: DiskFacts;
  let planned: PlannedDisk | undefined;
  if (diskEntry) {
    facts = await readDiskFacts(diskEntry.dir);
    report.disk.cached = true;
    progress.begin('disk');
    progress.end(`cache hit (${humanBytes(facts.plan.totalBytes)})`);
  } else {
    progress.begin('stage image');
    const started = system.monotonicMs();
    planned = await planImageDisk({ req, system, seed, tmpDir: join(req.cacheDir, 'tmp') });
    facts = planned.facts;
    progress.end(`${planned.facts.kind}, planned a ${humanBytes(facts.plan.totalBytes)} disk in ${seconds(system.monotonicMs() - started)}`);
  }
  const epoch = facts.plan.epoch;
  report.epoch = epoch;
  report.disk.bytes = facts.plan.totalBytes;
  report.disk.plan = facts.plan;
  const ctx = targetContext(facts, diskKey, epoch, req);
  const targetKey = (recipe: Recipe) => stageKey('target', { format: BAKE_FORMAT, disk: diskKey, target: recipe.name, options: optionsFor(recipe, req.targetOptions), name: ctx.name, tools: versionsOf(tools, packagesOfTools(recipeTools(recipe))) });

  if (req.dryRun) {
    if (planned) await rm(planned.staging, { recursive: true, force: true });
    report.disk.lines = describeDisk(facts.plan);
    report.disk.commands = diskCommands(facts.plan, DRY_RUN_PATHS).map((c) => [c.tool, ...c.args].join(' '));
    report.planned = [];
    for (const recipe of req.targets) {
      const key = targetKey(recipe);
      const entry = await cache.lookup('target', key);
      const cached = entry !== undefined && (await intactFiles(entry.dir)) !== undefined;
      const d = describeTarget(recipe, { rawPath: `<cache>/${DISK_FILE}`, rawSize: facts.plan.totalBytes, outDir: req.out, ctx });
      report.planned.push({ target: recipe.name, key, cached, outputs: d.outputs.map((o) => o.path), steps: d.steps });
    }
    return report;
  }

  if (!diskEntry) {
    const plan = planned as PlannedDisk;
    progress.begin('build disk', facts.plan.totalBytes);
    const started = system.monotonicMs();
    diskEntry = await cache.put('disk', diskKey, diskInputs, async (dir) => {
      await buildPlannedDisk(plan, dir, system);
      const sha = await sha256File(join(dir, DISK_FILE));
      await recordFiles(dir, [{ name: DISK_FILE, role: 'disk', bytes: facts.plan.totalBytes, sha256: sha }]);
    }, system.now());
    progress.end(`${humanBytes(facts.plan.totalBytes)} in ${seconds(system.monotonicMs() - started)}`);
  }
  const rawPath = join(diskEntry.dir, DISK_FILE);

  for (const recipe of req.targets) {
    const key = targetKey(recipe);
    let entry = await cache.lookup('target', key);
    let files = entry ? await intactFiles(entry.dir) : undefined;
    const cached = files !== undefined;
    progress.begin(recipe.name);
    const started = system.monotonicMs();
    if (!files) {
      if (entry) await rm(entry.dir, { recursive: true, force: true });
      let made: EntryFile[] = [];
      entry = await cache.put('target', key, { disk: diskKey, target: recipe.name, options: optionsFor(recipe, req.targetOptions) }, async (dir) => {
        const result = await convert(recipe, rawPath, dir, ctx, system);
        made = await recordFiles(dir, result.files.map((f) => ({ name: relativeTo(dir, f.path), role: f.role, bytes: f.bytes, sha256: f.sha256 })));
      }, system.now());
      files = (await intactFiles(entry.dir)) ?? made;
    }
    const placed = await publish((entry as { dir: string }).dir, files, req.out, system);
    progress.end(`${cached ? 'cache hit' : `converted in ${seconds(system.monotonicMs() - started)}`}: ${placed.map((p) => p.slice(req.out.length).replace(/^\//, '')).join(', ')}`);
    report.outputs.push({ target: recipe.name, key, cached, files: files.map((f, i) => ({ path: placed[i] as string, role: f.role, bytes: f.bytes, sha256: f.sha256 })) });
  }
  return report;
}

function relativeTo(dir: string, path: string): string {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  if (!path.startsWith(prefix)) throw new AgentError('E_INTERNAL', `a target wrote ${path} outside its directory ${dir}`);
  return path.slice(prefix.length);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
