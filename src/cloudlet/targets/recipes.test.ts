// Invariants of the recipe table and its options.

import { describe, expect, it } from 'vitest';
import { OPTION_SPECS } from './options';
import { RECIPES, recipeTools } from './recipes';

describe('the recipe table', () => {
  it('names each target once', () => {
    const names = RECIPES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every target with a choice of disks a <target>.disk option listing exactly those disks, default first', () => {
    for (const r of RECIPES.filter((r) => r.disks.length > 1)) {
      const spec = OPTION_SPECS.find((s) => s.key === `${r.name}.disk`);
      expect(spec?.kind, r.name).toBe('enum');
      if (spec?.kind !== 'enum') continue;
      expect([...spec.values]).toEqual(r.disks.map((d) => d.id));
      expect(spec.default).toBe(r.disks[0]?.id);
    }
  });

  it('has a boolean option for each compression switch', () => {
    for (const r of RECIPES.filter((r) => r.compressOption)) {
      const spec = OPTION_SPECS.find((s) => s.key === r.compressOption);
      expect(spec?.kind, r.name).toBe('bool');
    }
  });

  it('attaches every option to targets that exist', () => {
    const names = RECIPES.map((r) => r.name);
    for (const s of OPTION_SPECS) for (const t of s.targets) expect(names, s.key).toContain(t);
  });

  it('never lets two targets publish the same file name', () => {
    const owner = new Map<string, string>();
    for (const r of RECIPES) {
      for (const d of r.disks) {
        for (const pattern of [r.bundle ? r.bundle.file : r.diskFile, ...r.sidecars.map((s) => s.file)]) {
          const file = pattern.replace('{ext}', d.ext);
          expect(owner.get(file) ?? r.name, file).toBe(r.name);
          owner.set(file, r.name);
        }
      }
    }
  });

  it('pads the Azure VHD to whole MiB and the GCE disk to whole GiB', () => {
    expect(RECIPES.find((r) => r.name === 'vhd')?.padTo).toBe(1024 * 1024);
    expect(RECIPES.find((r) => r.name === 'gce')?.padTo).toBe(1024 * 1024 * 1024);
  });

  it('lists the tools a target runs beyond qemu-img', () => {
    const tools = (name: string) => recipeTools(RECIPES.find((r) => r.name === name) ?? RECIPES[0]!);
    expect(tools('gce')).toEqual(['qemu-img', 'gzip']);
    expect(tools('ova')).toEqual(['qemu-img', 'xmllint']);
    expect(tools('raw')).toEqual(['qemu-img']);
  });
});
