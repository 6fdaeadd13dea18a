// Proves each local channel reads its fixture as the kernel exposes it, and reports absence as null.

import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasourceContext } from './types';
import { cmdlineDatasource } from './cmdline';
import { fileDatasource } from './file';
import { fwcfgDatasource } from './fwcfg';
import { smbiosDatasource } from './smbios';
import { xenDatasource } from './xen';
import { nocloudResult } from './nocloud';
import { openstackResult } from './configdrive';
import { machine, type Machine } from '../test-machine';
import { datasourceContext, smbiosType11 } from './test-support';

let m: Machine;
beforeEach(() => {
  m = machine();
});
afterEach(() => m.cleanup());

const UD = '{"config":{"greeting":"hi"}}';

describe('cmdline', () => {
  it('decodes cloudlet.user-data= (standard and URL-safe base64, padding optional)', async () => {
    const b64 = Buffer.from(UD).toString('base64');
    const r = await cmdlineDatasource.fetch(datasourceContext(m, { cmdline: `quiet cloudlet.user-data=${b64}` }));
    expect(r?.userData?.toString()).toBe(UD);
    const url = Buffer.from('{"config":{"x":"??>>"}}').toString('base64url');
    expect((await cmdlineDatasource.fetch(datasourceContext(m, { cmdline: `cloudlet.user-data=${url}` })))?.userData?.toString()).toBe('{"config":{"x":"??>>"}}');
  });

  it('is absent without its parameters', async () => {
    expect(await cmdlineDatasource.fetch(datasourceContext(m, { cmdline: 'console=ttyS0' }))).toBeNull();
  });

  it('refuses user data that is not base64', async () => {
    await expect(cmdlineDatasource.fetch(datasourceContext(m, { cmdline: 'cloudlet.user-data={"a":1}' }))).rejects.toMatchObject({ code: 'E_USERDATA_INVALID' });
  });

  it('refuses a user-data URL that is not http://', async () => {
    await expect(cmdlineDatasource.fetch(datasourceContext(m, { cmdline: 'cloudlet.user-data-url=https://127.0.0.1/ud' }))).rejects.toMatchObject({ code: 'E_USERDATA_INVALID' });
  });

  it('refuses a user-data URL that is not a URL at once, as invalid input, without a request', async () => {
    for (const url of ['http://[::1/ud', 'http://', 'http://127.0.0.1:99999/ud', 'http://%zz/ud']) {
      let requests = 0;
      const ctx = datasourceContext(m, { cmdline: `cloudlet.user-data-url=${url}`, deadlineMs: 1500 });
      const counting: DatasourceContext = { ...ctx, system: { ...ctx.system, http: (req) => (requests++, ctx.system.http(req)) } };
      await expect(cmdlineDatasource.fetch(counting), url).rejects.toMatchObject({ code: 'E_USERDATA_INVALID', message: expect.stringContaining('not a valid URL') });
      expect(requests, url).toBe(0);
    }
  });
});

describe('fwcfg', () => {
  it('reads opt/cloudlet/user-data from the qemu_fw_cfg sysfs tree', async () => {
    m.put('sys/firmware/qemu_fw_cfg/by_name/opt/cloudlet/user-data/raw', UD);
    const r = await fwcfgDatasource.fetch(datasourceContext(m));
    expect(r).toMatchObject({ platform: 'fwcfg', meta: { item: 'opt/cloudlet/user-data' } });
    expect(r?.userData?.toString()).toBe(UD);
  });

  it('is absent when fw_cfg exists without the item', async () => {
    m.put('sys/firmware/qemu_fw_cfg/by_name/opt/other/raw', 'x');
    expect(await fwcfgDatasource.fetch(datasourceContext(m))).toBeNull();
  });
});

describe('smbios', () => {
  it('reads a text credential from a type 11 entry among others', async () => {
    m.put('sys/firmware/dmi/entries/11-0/raw', smbiosType11(['vendor-thing=1']));
    m.put('sys/firmware/dmi/entries/11-1/raw', smbiosType11([`io.systemd.credential:cloudlet.user-data=${UD}`]));
    m.put('sys/firmware/dmi/entries/1-0/raw', Buffer.from([1, 4, 0, 0, 0, 0]));
    expect((await smbiosDatasource.fetch(datasourceContext(m)))?.userData?.toString()).toBe(UD);
  });

  it('reads a binary (base64) credential', async () => {
    m.put('sys/firmware/dmi/entries/11-0/raw', smbiosType11([`io.systemd.credential.binary:cloudlet.user-data=${Buffer.from(UD).toString('base64')}`]));
    expect((await smbiosDatasource.fetch(datasourceContext(m)))?.userData?.toString()).toBe(UD);
  });

  it('is absent without type 11 entries or without the credential', async () => {
    expect(await smbiosDatasource.fetch(datasourceContext(m))).toBeNull();
    m.put('sys/firmware/dmi/entries/11-0/raw', smbiosType11(['io.systemd.credential:other=1']));
    expect(await smbiosDatasource.fetch(datasourceContext(m))).toBeNull();
  });
});

describe('xen', () => {
  it('is absent on a machine that is not a Xen guest', async () => {
    m.put('sys/hypervisor/type', 'kvm\n');
    expect(await xenDatasource.fetch(datasourceContext(m))).toBeNull();
  });

  function xenGuest(answer: { code: number; stdout: string }): { ctx: DatasourceContext; calls: string[][] } {
    m.put('sys/hypervisor/type', 'xen\n');
    m.put('bin/xenstore-read', '#!/bin/sh\n');
    chmodSync(join(m.base, 'bin/xenstore-read'), 0o755);
    const calls: string[][] = [];
    const ctx = datasourceContext(m);
    ctx.system = {
      ...m.system,
      env: { PATH: join(m.base, 'bin') },
      exec: async (file: string, args: string[]) => (calls.push([file, ...args]), { ...answer, signal: null, stderr: '' }),
    };
    return { ctx, calls };
  }

  it('reads vm-data/user-data with xenstore-read on a Xen guest without a xenbus device', async () => {
    const { ctx, calls } = xenGuest({ code: 0, stdout: UD + '\n' });
    const r = await xenDatasource.fetch(ctx);
    expect(r?.userData?.toString()).toBe(UD);
    expect(calls).toEqual([[join(m.base, 'bin/xenstore-read'), 'vm-data/user-data']]);
  });

  it('is absent when the key does not exist', async () => {
    const { ctx } = xenGuest({ code: 1, stdout: '' });
    expect(await xenDatasource.fetch(ctx)).toBeNull();
  });

  it('fails with E_PLATFORM saying what to add on a Xen guest with neither a xenbus device nor xenstore-read', async () => {
    m.put('sys/hypervisor/type', 'xen\n');
    const ctx = datasourceContext(m);
    ctx.system = { ...m.system, env: { PATH: join(m.base, 'bin') } };
    await expect(xenDatasource.fetch(ctx)).rejects.toMatchObject({
      code: 'E_PLATFORM',
      where: `${join(m.base, 'dev/xen/xenbus')} or ${join(m.base, 'proc/xen/xenbus')}`,
      fix: expect.stringContaining('install xenstore-read'),
    });
  });
});

describe('file', () => {
  it('reads the baked default inside the image root', async () => {
    m.put('root/etc/cloudlet/user-data.json', UD);
    expect((await fileDatasource.fetch(datasourceContext(m)))?.userData?.toString()).toBe(UD);
  });

  it('follows a symlink only inside the image', async () => {
    m.put('root/etc/cloudlet/real.json', UD);
    const { symlinkSync } = await import('node:fs');
    symlinkSync('/etc/cloudlet/real.json', `${m.root}/etc/cloudlet/user-data.json`);
    expect((await fileDatasource.fetch(datasourceContext(m)))?.userData?.toString()).toBe(UD);
  });

  it('is absent when the image has none', async () => {
    expect(await fileDatasource.fetch(datasourceContext(m))).toBeNull();
  });
});

describe('nocloud seed files', () => {
  it('takes instance-id and local-hostname from YAML meta-data', () => {
    const r = nocloudResult(Buffer.from(UD), 'instance-id: iid-local01\nlocal-hostname: web-1\nextra: [1, 2]\n', '/dev/vdb');
    expect(r).toMatchObject({ platform: 'nocloud', instanceId: 'iid-local01', hostname: 'web-1', meta: { extra: [1, 2] } });
  });

  it('reads JSON meta-data and a seed without meta-data', () => {
    expect(nocloudResult(null, '{"instance-id": "i-9"}', 'x').instanceId).toBe('i-9');
    expect(nocloudResult(null, null, 'x')).toEqual({ platform: 'nocloud', userData: null, meta: {} });
    expect(nocloudResult(null, '', 'x').meta).toEqual({});
  });

  it('refuses meta-data that is not a mapping or not YAML', () => {
    expect(() => nocloudResult(null, '- a\n- b\n', 'x')).toThrow(/mapping/);
    expect(() => nocloudResult(null, 'a: [1\n', 'x')).toThrow(expect.objectContaining({ code: 'E_PLATFORM' }));
  });
});

describe('openstack meta_data.json', () => {
  it('takes uuid as the instance id and hostname', () => {
    const r = openstackResult('configdrive', JSON.stringify({ uuid: 'd8e02d56-2648-49a3-bf97-6be8f1204f38', hostname: 'vm-1', availability_zone: 'nova' }), null, 'x');
    expect(r).toMatchObject({ instanceId: 'd8e02d56-2648-49a3-bf97-6be8f1204f38', hostname: 'vm-1', meta: { availability_zone: 'nova' } });
  });

  it('refuses a missing or non-JSON meta_data.json', () => {
    expect(() => openstackResult('configdrive', null, null, 'x')).toThrow(/missing/);
    expect(() => openstackResult('configdrive', '<html>', null, 'x')).toThrow(/not JSON/);
  });
});
