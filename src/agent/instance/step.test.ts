// Proves the instance step: first boot, known instance and clones, recorded in /var/lib/cloudlet of the image.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instanceStep } from './step';
import { userDataStep } from '../user-data/step';
import { machine, manifestWith, runContext, type Machine } from '../test-machine';

let m: Machine;
beforeEach(() => {
  m = machine();
});
afterEach(() => m.cleanup());

async function boot(instanceId?: string) {
  const ctx = runContext(m, manifestWith(['cmdline']), { cmdline: '' });
  await userDataStep.plan(ctx);
  if (instanceId && ctx.state.source) ctx.state.source = { ...ctx.state.source, instanceId };
  const plan = await instanceStep.plan(ctx);
  const result = await instanceStep.apply(plan, ctx);
  return { ctx, plan, result };
}

describe('instanceStep', () => {
  it('records the boot in /var/lib/cloudlet and reports the first boot', async () => {
    const { ctx, result } = await boot();
    expect(result.summary).toMatch(/first boot/);
    expect(ctx.state.firstBoot).toBe(true);
    expect(ctx.reporter.infos).toContainEqual({ firstBoot: true, instanceChanged: false });
    expect(existsSync(join(m.root, 'var/lib/cloudlet/boot-in-progress'))).toBe(true);
  });

  it('plans without writing anything (dry runs)', async () => {
    const ctx = runContext(m, manifestWith(['cmdline']), { cmdline: '' });
    await userDataStep.plan(ctx);
    const plan = await instanceStep.plan(ctx);
    expect(instanceStep.describe(plan).join('\n')).toMatch(/first boot/);
    expect(existsSync(join(m.root, 'var/lib/cloudlet'))).toBe(false);
  });

  it('is disabled when only rendering', () => {
    const ctx = runContext(m, manifestWith(['cmdline']), { cmdline: '', mode: 'render' });
    expect(instanceStep.enabled?.(ctx)).toBe(false);
  });

  it('reports a clone when the instance id changed since the last completed boot', async () => {
    m.put('root/var/lib/cloudlet/instance-id', 'i-old\n');
    m.put('root/var/lib/cloudlet/first-boot-done', 'i-old\n');
    const { ctx, result } = await boot('i-new');
    expect(result.summary).toMatch(/first boot of a clone \(was i-old\)/);
    expect(ctx.reporter.infos).toContainEqual({ firstBoot: true, instanceChanged: true });
    expect(readFileSync(join(m.root, 'var/lib/cloudlet/instance-id'), 'utf8')).toBe('i-new\n');
  });

  it('marks the first boot done on completion, so the next boot is not a first boot', async () => {
    const first = await boot();
    await instanceStep.complete?.(first.ctx);
    expect(existsSync(join(m.root, 'var/lib/cloudlet/boot-in-progress'))).toBe(false);
    const again = await boot();
    expect(again.result.summary).toMatch(/known instance/);
    expect(again.ctx.reporter.infos).toContainEqual({ firstBoot: false, instanceChanged: false });
  });
});
