// Which `once` templates a run renders: all of them on an instance's first boot, none afterwards. Pure.

import type { TemplateSpec } from '../../manifest/types';
import type { SkippedTemplate } from './plan-record';

const ONCE_DONE_REASON = 'once: rendered on the first boot of this instance only, which is done; the file is left as it is';

export function planOnce(specs: readonly TemplateSpec[], firstBoot: boolean): { render: TemplateSpec[]; skipped: SkippedTemplate[] } {
  if (firstBoot) return { render: [...specs], skipped: [] };
  return {
    render: specs.filter((t) => !t.once),
    skipped: specs.filter((t) => t.once).map((t) => ({ path: t.path, reason: ONCE_DONE_REASON })),
  };
}
