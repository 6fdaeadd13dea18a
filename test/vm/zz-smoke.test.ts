import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { bootDebian, multiUserUs, writeDebianTree } from './debian-fixture';
import { debianLayer } from './setup-run';

it('smoke: debian baseline', async () => {
  const work = mkdtempSync(join(tmpdir(), 'smoke-'));
  writeDebianTree(join(work, 'tree'), false);
  const img = debianLayer(join(work, 'img'), { tree: join(work, 'tree') });
  const boot = await bootDebian('smoke-debian', img, []);
  console.log(boot.durationMs, multiUserUs(boot.console), boot.code, boot.timedOut);
  console.log(boot.console.slice(-1500));
  expect(boot.console).toContain('VMTEST-DONE');
});
