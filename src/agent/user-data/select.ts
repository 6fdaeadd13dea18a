// Decides which platforms to ask and in what order: the manifest's list, narrowed by cloudlet.platform=.

import { AgentError } from '../../errors';
import { didYouMean } from '../../cli-kit/nearest-name';
import { kernelParam, type KernelParam } from '../../readers/kernel-cmdline';
import type { Datasource } from '../platforms/types';

const ORDER: Record<Datasource['kind'], number> = { local: 0, network: 1, fallback: 2 };

export interface Selection {
  sources: Datasource[];
  /** the value of cloudlet.platform= when it narrowed the list */
  narrowedBy?: string;
}

/**
 * The listed platforms (unknown names are an error), keeping only those named by `cloudlet.platform=`
 * (comma-separated; "none" asks no platform), local channels first, then network services, then the
 * baked default file; the manifest's order holds within each group.
 */
export function selectPlatforms(listed: readonly string[], params: readonly KernelParam[], registry: readonly Datasource[]): Selection {
  const known = new Map(registry.map((d) => [d.name, d]));
  for (const name of listed) {
    if (!known.has(name)) {
      throw new AgentError('E_MANIFEST_INVALID', `the manifest lists platform "${name}", which this agent does not know${didYouMean(name, [...known.keys()])}`, {
        where: 'manifest platforms',
        fix: `use some of: ${registry.map((d) => d.name).join(', ')}`,
      });
    }
  }
  let names = [...new Set(listed)];
  const narrow = kernelParam(params, 'cloudlet.platform');
  if (narrow !== undefined) {
    const wanted = narrow.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (!(wanted.length === 1 && wanted[0] === 'none')) {
      const unlisted = wanted.filter((w) => !names.includes(w));
      if (unlisted.length > 0) {
        const hint = unlisted.length === 1 ? didYouMean(unlisted[0] as string, names) : '';
        throw new AgentError('E_PLATFORM', `cloudlet.platform=${narrow} names ${unlisted.join(', ')}, which the manifest does not list${hint}`, {
          where: 'kernel command line cloudlet.platform=',
          fix: `name some of the manifest's platforms (${names.join(', ') || 'none listed'}), or "none"`,
        });
      }
    }
    names = names.filter((n) => wanted.includes(n));
  }
  // Array sort is stable: the manifest's order holds within each kind.
  const sources = names.map((n) => known.get(n) as Datasource).sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  return { sources, ...(narrow !== undefined ? { narrowedBy: narrow } : {}) };
}
