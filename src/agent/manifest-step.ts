// Pipeline step "manifest": loads and checks the image's manifest; every later step reads it from the state.

import type { RunContext, Step, StepResult } from './step';
import { loadManifest } from '../manifest/load';
import type { NormalizedManifest } from '../manifest/types';

export interface ManifestPlan {
  manifest: NormalizedManifest;
}

export const manifestStep: Step<ManifestPlan> = {
  name: 'manifest',
  title: 'Manifest',

  async plan(ctx: RunContext): Promise<ManifestPlan> {
    const manifest = await loadManifest({ root: ctx.options.root });
    ctx.state.manifest = manifest;
    return { manifest };
  },

  describe({ manifest }: ManifestPlan): string[] {
    return [
      `image ${label(manifest)}, manifest sha256 ${manifest.hash}`,
      `entry points: ${entrypointNames(manifest).join(', ')}`,
      `platforms: ${manifest.platforms.join(', ')}`,
    ];
  },

  toJSON({ manifest }: ManifestPlan): unknown {
    return {
      name: manifest.name,
      ...(manifest.version !== undefined ? { version: manifest.version } : {}),
      hash: manifest.hash,
      entrypoints: entrypointNames(manifest),
      platforms: manifest.platforms,
    };
  },

  async apply({ manifest }: ManifestPlan, ctx: RunContext): Promise<StepResult> {
    ctx.reporter.info({
      image: { name: manifest.name, ...(manifest.version !== undefined ? { version: manifest.version } : {}) },
      manifestHash: manifest.hash,
    });
    return { summary: `Loaded manifest ${label(manifest)}` };
  },
};

function label(manifest: NormalizedManifest): string {
  return manifest.version ? `${manifest.name} ${manifest.version}` : manifest.name;
}

function entrypointNames(manifest: NormalizedManifest): string[] {
  return (['kernel', 'init', 'chroot'] as const).filter((name) => manifest.entrypoints[name] !== undefined);
}
