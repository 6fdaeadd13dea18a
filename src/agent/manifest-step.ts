// Pipeline step "manifest": loads and checks the image's manifest; every later step reads it from the state.

import type { RunContext, Step, StepResult } from './step';
import { unknownSchemaKeywords } from '../manifest/config-schema-keywords';
import { loadManifest } from '../manifest/load';
import type { NormalizedManifest } from '../manifest/types';

export interface ManifestPlan {
  manifest: NormalizedManifest;
  /** what validate refuses but a boot goes on with: keywords of config.schema that JSON Schema ignores */
  warnings: string[];
}

export const manifestStep: Step<ManifestPlan> = {
  name: 'manifest',
  title: 'Manifest',

  async plan(ctx: RunContext): Promise<ManifestPlan> {
    const manifest = await loadManifest({ root: ctx.options.root });
    ctx.state.manifest = manifest;
    // An image built before validate refused them still boots; its operator hears of them on the console.
    const warnings = unknownSchemaKeywords(manifest.config?.schema).map((p) => `warning: ${p.path}: ${p.message}`);
    return { manifest, warnings };
  },

  describe({ manifest, warnings }: ManifestPlan): string[] {
    return [
      `image ${label(manifest)}, manifest sha256 ${manifest.hash}`,
      `entry points: ${entrypointNames(manifest).join(', ')}`,
      `platforms: ${manifest.platforms.join(', ')}`,
      ...warnings,
    ];
  },

  toJSON({ manifest, warnings }: ManifestPlan): unknown {
    return {
      name: manifest.name,
      ...(manifest.version !== undefined ? { version: manifest.version } : {}),
      hash: manifest.hash,
      entrypoints: entrypointNames(manifest),
      platforms: manifest.platforms,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  },

  async apply({ manifest, warnings }: ManifestPlan, ctx: RunContext): Promise<StepResult> {
    ctx.reporter.info({
      image: { name: manifest.name, ...(manifest.version !== undefined ? { version: manifest.version } : {}) },
      manifestHash: manifest.hash,
    });
    return { summary: [`Loaded manifest ${label(manifest)}`, ...warnings].join('; ') };
  },
};

function label(manifest: NormalizedManifest): string {
  return manifest.version ? `${manifest.name} ${manifest.version}` : manifest.name;
}

function entrypointNames(manifest: NormalizedManifest): string[] {
  return (['kernel', 'init', 'chroot'] as const).filter((name) => manifest.entrypoints[name] !== undefined);
}
