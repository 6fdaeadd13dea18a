// Boot-time and initramfs-size figures of the Debian tier: printed in the test output and kept in .cache/vm/figures.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VM_CACHE } from './paths';

const figures: Record<string, unknown> = {};

export function recordFigure(name: string, value: unknown): void {
  figures[name] = value;
}

/** Writes the figures recorded so far to .cache/vm/<name> (each test file its own). */
export function writeFigures(name = 'figures.json'): void {
  mkdirSync(VM_CACHE, { recursive: true });
  const file = join(VM_CACHE, name);
  writeFileSync(file, `${JSON.stringify({ measuredAt: new Date().toISOString(), ...figures }, null, 2)}\n`);
  console.log(`VM figures (${file}):\n${JSON.stringify(figures, null, 2)}`);
}
