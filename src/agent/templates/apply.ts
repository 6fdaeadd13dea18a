// Carries out a templates plan: pristine copies first, then every changed target, each written atomically.

import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { DirSyncs, writeAtomic, type FileMeta } from '../../system/atomic-write';
import { FILES_AT_ONCE, mapBounded } from '../../system/bounded-map';
import { isReadOnlyError } from '../../system/read-only-fs';
import { pristinePath } from './includes';
import type { PlannedTemplate } from './plan';
import { renderOverReadOnly } from './read-only';

export interface TemplatePlanItem extends PlannedTemplate {
  targetHost: string;
  pristineHost: string;
  runPristineHost: string;
}

export interface AppliedTemplate {
  path: string;
  outcome: 'changed' | 'unchanged';
  startMs: number;
  durationMs: number;
  detail?: string;
}

/**
 * Pristine copies are all taken before any target is replaced: should the power go in between, the next
 * boot still renders from the file as shipped, never from a rendered one.
 */
export async function applyTemplates(items: readonly TemplatePlanItem[], system: System, onItem: (a: AppliedTemplate) => void = () => {}): Promise<AppliedTemplate[]> {
  // Each directory is synced once after its files are renamed in, not once per file; the pristine
  // copies' directories are synced before any target is replaced.
  await withDirSyncs(async (syncs) => {
    await mapBounded(items, FILES_AT_ONCE, async (item) => {
      if (item.takePristine) await takePristine(item, item.takePristine, syncs);
    });
  });
  const applied: AppliedTemplate[] = [];
  // Files are independent once every pristine copy is safe; their fsyncs overlap.
  await withDirSyncs(async (syncs) => {
    await mapBounded(items, FILES_AT_ONCE, async (item, i) => {
      const done = await applyOne(item, system, syncs);
      applied[i] = done;
      onItem(done);
    });
  });
  return applied;
}

/** Runs `fn`, then syncs the directories it wrote into, after a failure too (what was renamed stays renamed). */
async function withDirSyncs(fn: (syncs: DirSyncs) => Promise<void>): Promise<void> {
  const syncs = new DirSyncs();
  try {
    await fn(syncs);
  } catch (err) {
    await syncs.flush().catch(() => {});
    throw err;
  }
  try {
    await syncs.flush();
  } catch (err) {
    throw new AgentError('E_IO', (err as Error).message, { fix: 'check the filesystem of the templates for I/O errors', cause: err });
  }
}

async function applyOne(item: TemplatePlanItem, system: System, syncs: DirSyncs): Promise<AppliedTemplate> {
  const startMs = system.monotonicMs();
  let detail: string | undefined = item.changed ? item.reasons.join(', ') : undefined;
  if (item.changed) {
    const meta = { mode: item.mode, uid: item.owner.uid, gid: item.owner.gid };
    try {
      await writeAtomic(item.targetHost, item.output, meta, syncs);
    } catch (err) {
      if (!isReadOnlyError(err)) throw ioError(item.path, err);
      const rendered = await renderOverReadOnly(system, item.path, item.targetHost, item.output, meta);
      detail = `${detail}; read-only root: bound from ${rendered}`;
    }
  }
  return {
    path: item.path,
    outcome: item.changed ? 'changed' : 'unchanged',
    startMs,
    durationMs: system.monotonicMs() - startMs,
    ...(detail ? { detail } : {}),
  };
}

async function takePristine(item: TemplatePlanItem, shipped: { content: Buffer; mode: number; uid: number; gid: number }, syncs: DirSyncs): Promise<void> {
  const meta: FileMeta = { mode: shipped.mode & 0o7777, uid: shipped.uid, gid: shipped.gid };
  try {
    await writeAtomic(item.pristineHost, shipped.content, meta, syncs);
  } catch (err) {
    if (!isReadOnlyError(err)) throw ioError(pristinePath(item.path), err);
    // The image cannot keep it; the run directory keeps it for the rest of this boot.
    try {
      await writeAtomic(item.runPristineHost, shipped.content, meta, syncs);
    } catch (inner) {
      throw ioError(pristinePath(item.path), inner);
    }
  }
}

function ioError(imagePath: string, err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  return new AgentError('E_IO', `cannot write ${imagePath}: ${(err as Error).message}`, {
    where: imagePath,
    fix: 'check that the filesystem is writable and has free space, and that the agent runs as root',
    cause: err,
  });
}
