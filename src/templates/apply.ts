// Carries out a templates plan: pristine copies first, then every changed target, each written atomically.

import { AgentError } from '../errors';
import type { System } from '../system/system';
import { writeAtomic, type FileMeta } from './atomic-write';
import { pristinePath } from './includes';
import type { PlannedTemplate } from './plan';
import { isReadOnlyError, renderOverReadOnly } from './read-only';

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
  for (const item of items) {
    if (item.takePristine) await takePristine(item, item.takePristine);
  }
  const applied: AppliedTemplate[] = [];
  for (const item of items) {
    const startMs = system.monotonicMs();
    let detail: string | undefined = item.changed ? item.reasons.join(', ') : undefined;
    if (item.changed) {
      const meta = { mode: item.mode, uid: item.owner.uid, gid: item.owner.gid };
      try {
        await writeAtomic(item.targetHost, item.output, meta);
      } catch (err) {
        if (!isReadOnlyError(err)) throw ioError(item.path, err);
        const rendered = await renderOverReadOnly(system, item.path, item.targetHost, item.output, meta);
        detail = `${detail}; read-only root: bound from ${rendered}`;
      }
    }
    const done: AppliedTemplate = {
      path: item.path,
      outcome: item.changed ? 'changed' : 'unchanged',
      startMs,
      durationMs: system.monotonicMs() - startMs,
      ...(detail ? { detail } : {}),
    };
    applied.push(done);
    onItem(done);
  }
  return applied;
}

async function takePristine(item: TemplatePlanItem, shipped: { content: Buffer; mode: number; uid: number; gid: number }): Promise<void> {
  const meta: FileMeta = { mode: shipped.mode & 0o7777, uid: shipped.uid, gid: shipped.gid };
  try {
    await writeAtomic(item.pristineHost, shipped.content, meta);
  } catch (err) {
    if (!isReadOnlyError(err)) throw ioError(pristinePath(item.path), err);
    // The image cannot keep it; the run directory keeps it for the rest of this boot.
    try {
      await writeAtomic(item.runPristineHost, shipped.content, meta);
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
