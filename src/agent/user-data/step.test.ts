// Proves the user-data step: where user data comes from, validation with defaults, errors.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userDataStep } from './step';
import { machine, manifestWith, runContext, type Machine } from '../test-machine';

let m: Machine;
beforeEach(() => {
  m = machine();
});
afterEach(() => m.cleanup());

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('userDataStep.plan', () => {
  it('takes --user-data FILE before any platform (platform "arg")', async () => {
    const file = join(m.base, 'ud.json');
    writeFileSync(file, '{"config":{"greeting":"from file"}}');
    const ctx = runContext(m, manifestWith(['cmdline']), { userDataFile: file, cmdline: `cloudlet.user-data=${b64('{"config":{"greeting":"cmd"}}')}` });
    const plan = await userDataStep.plan(ctx);
    expect(plan.platform).toBe('arg');
    expect(ctx.state.userData?.config).toEqual({ greeting: 'from file' });
    expect(ctx.state.source?.platform).toBe('arg');
  });

  it('reads the kernel command line from <proc>/cmdline once and keeps it for later steps', async () => {
    m.put('proc/cmdline', `console=ttyS0 cloudlet.user-data=${b64('{"config":{"greeting":"kernel"}}')}\n`);
    const ctx = runContext(m, manifestWith(['cmdline', 'nocloud']));
    const plan = await userDataStep.plan(ctx);
    expect(plan.platform).toBe('cmdline');
    expect(ctx.state.cmdline).toContain('console=ttyS0');
    expect(ctx.state.userData?.config).toEqual({ greeting: 'kernel' });
    expect(ctx.reporter.infos).toContainEqual({ platform: 'cmdline' });
    expect(ctx.reporter.items.map((i) => `${i.name}:${i.outcome}`)).toEqual(['cmdline:ok']);
  });

  it('applies the config defaults when no listed platform has user data', async () => {
    const ctx = runContext(m, manifestWith(['cmdline', 'fwcfg', 'smbios', 'file']), { cmdline: 'quiet' });
    const plan = await userDataStep.plan(ctx);
    expect(plan.platform).toBe('none');
    expect(ctx.state.userData?.config).toEqual({ greeting: 'hello' });
    expect(ctx.reporter.items.map((i) => `${i.name}:${i.outcome}`)).toEqual(['cmdline:absent', 'fwcfg:absent', 'smbios:absent', 'file:absent']);
    expect(userDataStep.describe(plan).join('\n')).toMatch(/defaults apply/);
  });

  it('asks only the platforms cloudlet.platform= names', async () => {
    m.put('root/etc/cloudlet/user-data.json', '{"config":{"greeting":"baked"}}');
    const ctx = runContext(m, manifestWith(['cmdline', 'file']), { cmdline: `cloudlet.platform=file cloudlet.user-data=${b64('{}')}` });
    expect((await userDataStep.plan(ctx)).platform).toBe('file');
    expect(ctx.state.userData?.config).toEqual({ greeting: 'baked' });
  });

  it('never asks a platform the manifest does not list', async () => {
    m.put('sys/firmware/qemu_fw_cfg/by_name/opt/cloudlet/user-data/raw', '{"config":{"greeting":"fw"}}');
    const ctx = runContext(m, manifestWith(['cmdline']), { cmdline: '' });
    expect((await userDataStep.plan(ctx)).platform).toBe('none');
  });

  it('fails with E_USERDATA_INVALID naming the platform when the user data is not JSON, without echoing it', async () => {
    m.put('sys/firmware/qemu_fw_cfg/by_name/opt/cloudlet/user-data/raw', 'password=hunter2');
    const ctx = runContext(m, manifestWith(['fwcfg']), { cmdline: '' });
    const err = await userDataStep.plan(ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_USERDATA_INVALID' });
    expect((err as Error).message).toContain('fwcfg');
    expect(JSON.stringify(err) + (err as Error).message).not.toContain('hunter2');
  });

  it('fails when the user data does not match the schemas', async () => {
    const ctx = runContext(m, manifestWith(['cmdline']), { cmdline: `cloudlet.user-data=${b64('{"confg":{}}')}` });
    await expect(userDataStep.plan(ctx)).rejects.toMatchObject({ code: 'E_USERDATA_INVALID' });
  });

  it('names the platform in the status even when its user data is refused', async () => {
    const ctx = runContext(m, manifestWith(['cmdline']), { cmdline: `cloudlet.user-data=${b64('{"confg":{}}')}` });
    await expect(userDataStep.plan(ctx)).rejects.toMatchObject({ code: 'E_USERDATA_INVALID' });
    expect(ctx.reporter.infos).toContainEqual({ platform: 'cmdline' });
  });

  it('keeps config values out of the plan: only the names of the keys set', async () => {
    const ctx = runContext(m, manifestWith(['cmdline']), { cmdline: `cloudlet.user-data=${b64('{"config":{"pw":"hunter2","greeting":"x"}}')}` });
    const plan = await userDataStep.plan(ctx);
    expect(plan.configKeys).toEqual(['greeting', 'pw']);
    expect(JSON.stringify(userDataStep.toJSON(plan)) + userDataStep.describe(plan).join('\n')).not.toContain('hunter2');
  });
});
