// Runs test/fuzz/main.ts with its arguments: bundled by esbuild into a temporary file, since node runs no TypeScript here.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cloudlet-fuzz-runner-'));
try {
  const outfile = join(dir, 'fuzz.cjs');
  await build({ entryPoints: [join(here, 'main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'warning' });
  // The bundle lives in a temporary directory, so it is told where the executable is (unless the caller said).
  const env = { CLOUDLET_AGENT_BIN: join(here, '..', '..', 'dist', 'cloudlet-agent'), ...process.env };
  const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', env });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
