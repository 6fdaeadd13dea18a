// The disk stage of bake: stage the image, ready the tree, plan and build the raw master disk.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadManifest } from '../../manifest/load';
import type { NormalizedManifest } from '../../manifest/types';
import { joinRoot } from '../../system/root-path';
import type { System } from '../../system/system';
import { bootFileSizes, buildDisk, measureTree, planDisk, type DiskPlan } from '../disk';
import { stageImage, type StagedImage } from '../inputs/stage-image';
import { planBootEntry, type BootEntry } from './boot-entry';
import { applyPrepare, clampMtimes, planPrepare, treeFacts } from './prepare';
import { loadPreset } from './preset';
import type { BakeRequest } from './request';

/** What the disk stage learned, kept beside the disk in its cache entry so a cache hit needs no staging. */
export interface DiskFacts {
  name: string;
  version?: string;
  description?: string;
  boot: BootEntry;
  plan: DiskPlan;
  kind: StagedImage['kind'];
}

export const DISK_FILE = 'disk.raw';
const FACTS_FILE = 'disk.json';

export interface PlannedDisk {
  facts: DiskFacts;
  /** the staged, readied tree and boot files: remove `staging` when done */
  staging: string;
  root: string;
  kernel: string;
  initrd?: string;
  /** writeOnly values of the preset: never printed */
  secrets: string[];
}

export interface DiskStageInput {
  req: BakeRequest;
  system: System;
  /** every id on the disk derives from it */
  seed: string;
  /** where the staging directory is made (the cache's tmp, so its sweep removes what a killed bake left) */
  tmpDir: string;
}

/** Stages the image and plans its disk; the staged tree is left for buildPlannedDisk (or removed by a dry run). */
export async function planImageDisk(input: DiskStageInput): Promise<PlannedDisk> {
  const { req, system } = input;
  await mkdir(input.tmpDir, { recursive: true, mode: 0o700 });
  const staging = await mkdtemp(join(input.tmpDir, `stage-${process.pid}-`));
  try {
    const staged = await stageImage(req.image, staging, { system, ...(req.ref ? { ref: req.ref } : {}) });
    const manifest = await loadManifest(req.manifestFile ? { root: staged.root, file: req.manifestFile } : { root: staged.root });
    const preset = req.presetFile ? await loadPreset(req.presetFile, manifest) : undefined;
    const facts = await treeFacts(staged.root);
    const boot = planBootEntry(manifest, facts.hasHook);
    const manifestBytes = req.manifestFile ? await readFile(req.manifestFile) : undefined;
    const actions = planPrepare({ agentBinary: req.agentBinary, facts, ...(manifestBytes ? { manifestBytes } : {}), ...(preset ? { presetBytes: preset.bytes } : {}) });
    await applyPrepare(staged.root, actions);
    // Like SOURCE_DATE_EPOCH, whole seconds: a directory's mtimes carry nanoseconds.
    const epoch = req.sourceDateEpoch ?? Math.floor(staged.newestMtime);
    await clampMtimes(staged.root, epoch);
    const kernel = await joinRoot(staged.root, boot.kernel);
    const initrd = boot.initrd ? await joinRoot(staged.root, boot.initrd) : undefined;
    const sizes = await bootFileSizes({ kernel, ...(initrd ? { initrd } : {}) });
    const plan = planDisk({
      seed: input.seed,
      epoch,
      tree: await measureTree(staged.root),
      ...sizes,
      cmdline: boot.cmdline,
      ...(req.sizeBytes !== undefined ? { requestedBytes: req.sizeBytes } : {}),
      title: titleOf(manifest),
    });
    return {
      facts: { name: manifest.name, ...(manifest.version ? { version: manifest.version } : {}), ...(manifest.description ? { description: manifest.description } : {}), boot, plan, kind: staged.kind },
      staging,
      root: staged.root,
      kernel,
      ...(initrd ? { initrd } : {}),
      secrets: preset?.secrets ?? [],
    };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Builds the planned disk into `dir` (a cache entry being made) and records its facts; the staging tree is removed either way. */
export async function buildPlannedDisk(planned: PlannedDisk, dir: string, system: System): Promise<void> {
  try {
    await buildDisk(planned.facts.plan, planned.root, { kernel: planned.kernel, ...(planned.initrd ? { initrd: planned.initrd } : {}) }, join(dir, DISK_FILE), system);
    await writeFile(join(dir, FACTS_FILE), JSON.stringify(planned.facts, null, 2) + '\n');
  } finally {
    await rm(planned.staging, { recursive: true, force: true });
  }
}

export async function readDiskFacts(dir: string): Promise<DiskFacts> {
  return JSON.parse(await readFile(join(dir, FACTS_FILE), 'utf8')) as DiskFacts;
}

function titleOf(manifest: NormalizedManifest): string {
  return manifest.version ? `${manifest.name} ${manifest.version}` : manifest.name;
}

/** Output files are named after the image: "hello-1.2.0"; characters file names and descriptors cannot carry become "-". */
export function outputName(facts: Pick<DiskFacts, 'name' | 'version'>): string {
  const raw = facts.version ? `${facts.name}-${facts.version}` : facts.name;
  return raw.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
}
