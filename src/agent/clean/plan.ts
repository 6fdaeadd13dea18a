// What `clean` removes or restores, decided from what a scan found; also what an --image root may be. Pure.

import { AgentError } from '../../errors';
import { pristinePath } from '../templates/includes';

/** What a scan of the root found (image paths). */
export interface CleanScan {
  /** every entry of the boot record directory */
  record: string[];
  /** --image: templates whose pristine copy is in the image's store */
  pristine: string[];
  /** --image: the agent's temp files whose writer is gone, beside targets and pristine copies */
  staleTemps: string[];
}

export type CleanAction =
  /** remove an entry of the boot record */
  | { kind: 'forget'; path: string }
  /** put the pristine copy back in place of the rendered file (a rename: the copy goes) */
  | { kind: 'restore'; path: string; pristine: string }
  /** remove a temp file a killed writer left (it may hold a rendered secret) */
  | { kind: 'remove-temp'; path: string };

export interface CleanPlan {
  what: 'boot-record' | 'image';
  actions: CleanAction[];
}

export function planClean(what: CleanPlan['what'], scan: CleanScan): CleanPlan {
  const image: CleanAction[] =
    what === 'image'
      ? [
          ...scan.pristine.map((path): CleanAction => ({ kind: 'restore', path, pristine: pristinePath(path) })),
          ...scan.staleTemps.map((path): CleanAction => ({ kind: 'remove-temp', path })),
        ]
      : [];
  return { what, actions: [...image, ...scan.record.map((path): CleanAction => ({ kind: 'forget', path }))] };
}

export function describeAction(action: CleanAction): string {
  switch (action.kind) {
    case 'forget':
      return `remove ${action.path} (boot record)`;
    case 'restore':
      return `restore ${action.path} from ${action.pristine} (the template as shipped; the rendered file goes)`;
    case 'remove-temp':
      return `remove ${action.path} (a temp file a killed writer left)`;
  }
}

/**
 * `--image /` would turn the running system's rendered files back into templates: refused unless the
 * caller says it means it (a container build whose root is the image).
 */
export function checkImageRoot(resolvedRoot: string, force: boolean): void {
  if (resolvedRoot === '/' && !force) {
    throw new AgentError('E_USAGE', 'clean --image / would strip the running system: its rendered files would become templates again', {
      where: '--image /',
      fix: 'point --image at a build tree; to strip a root that is the image being built (a container build), add --force',
    });
  }
}
