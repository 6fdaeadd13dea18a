// Proves each metadata-service platform against a loopback emulator: success, absence, and every fault.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAzure } from '../../../test/blackbox/emulators/azure';
import { startEc2 } from '../../../test/blackbox/emulators/ec2';
import { startGce } from '../../../test/blackbox/emulators/gce';
import { startOpenstack } from '../../../test/blackbox/emulators/openstack';
import type { Emulator, FaultKind } from '../../../test/blackbox/emulators/server';
import { AgentError } from '../../errors';
import { azureDatasource } from './azure';
import { ec2Datasource } from './ec2';
import { gceDatasource } from './gce';
import { openstackDatasource } from './openstack';
import { machine, type Machine } from '../test-machine';
import { datasourceContext, type ContextOptions } from './test-support';
import type { Datasource } from './types';

let m: Machine;
const emulators: Emulator[] = [];
beforeEach(() => {
  m = machine();
});
afterEach(async () => {
  for (const e of emulators.splice(0)) await e.close();
  m.cleanup();
});

async function track(e: Promise<Emulator>): Promise<Emulator> {
  const em = await e;
  emulators.push(em);
  return em;
}

function ask(ds: Datasource, em: Emulator, deadlineMs = 3000, extra: Record<string, unknown> = {}, retry: ContextOptions['retry'] = {}) {
  return ds.fetch(datasourceContext(m, { deadlineMs, settings: { endpoints: { [ds.name]: em.url }, ...extra }, retry }));
}

/** A service that never finishes an answer costs each attempt in real time: a short attempt keeps the test quick. */
const SHORT_ATTEMPT = { attemptMs: 20 };

const START = {
  ec2: (fault?: { kind: FaultKind; path?: RegExp }) => startEc2({ fault: fault ?? null }),
  openstack: (fault?: { kind: FaultKind; path?: RegExp }) => startOpenstack({ fault: fault ?? null }),
  gce: (fault?: { kind: FaultKind; path?: RegExp }) => startGce({ fault: fault ?? null }),
  azure: (fault?: { kind: FaultKind; path?: RegExp }) => startAzure({ fault: fault ?? null }),
};
const SOURCES = { ec2: ec2Datasource, openstack: openstackDatasource, gce: gceDatasource, azure: azureDatasource };
const USER_DATA_PATH = /user-data|user_data|userData/;

describe.each(Object.keys(START) as Array<keyof typeof START>)('%s', (name) => {
  const ds = SOURCES[name];

  it('reads user data and an instance id', async () => {
    const r = await ask(ds, await track(START[name]()));
    expect(r?.platform).toBe(name);
    expect(JSON.parse(r?.userData?.toString() ?? 'null')).toEqual({ config: { greeting: `from ${name}` } });
    expect(r?.instanceId).toBeTruthy();
  });

  it('is absent when every path answers 404', async () => {
    expect(await ask(ds, await track(START[name]({ kind: '404' })))).toBeNull();
  });

  it('is absent when nothing listens at the address', async () => {
    const em = await START[name]();
    await em.close();
    expect(await ask(ds, em)).toBeNull();
  });

  it('has no user data when only the user-data path answers 404', async () => {
    const r = await ask(ds, await track(START[name]({ kind: '404', path: USER_DATA_PATH })));
    expect(r?.instanceId).toBeTruthy();
    expect(r?.userData ?? null).toBeNull();
  });

  it('gives E_PLATFORM after retrying a service that keeps answering 500', async () => {
    const em = await track(START[name]({ kind: '500' }));
    await expect(ask(ds, em, 1500)).rejects.toMatchObject({ code: 'E_PLATFORM' });
    expect(em.requests.length).toBeGreaterThan(1);
  });

  it('gives E_PLATFORM_TIMEOUT for a connection that is never answered', async () => {
    await expect(ask(ds, await track(START[name]({ kind: 'hang' })), 1500, {}, SHORT_ATTEMPT)).rejects.toMatchObject({ code: 'E_PLATFORM_TIMEOUT' });
  });

  it('gives E_PLATFORM_TIMEOUT for a body that trickles in forever', async () => {
    await expect(ask(ds, await track(START[name]({ kind: 'slow' })), 1500, {}, SHORT_ATTEMPT)).rejects.toMatchObject({ code: 'E_PLATFORM_TIMEOUT' });
  });

  it('gives E_PLATFORM for bytes that are not HTTP', async () => {
    await expect(ask(ds, await track(START[name]({ kind: 'garbage' })), 1500)).rejects.toMatchObject({ code: 'E_PLATFORM' });
  });

  it('gives E_USERDATA_TOO_LARGE for user data over 1 MiB, without retrying it', async () => {
    const em = await track(START[name]({ kind: 'oversize', path: USER_DATA_PATH }));
    await expect(ask(ds, em)).rejects.toMatchObject({ code: 'E_USERDATA_TOO_LARGE' });
    expect(em.requests.filter((r) => USER_DATA_PATH.test(r.path))).toHaveLength(1);
  });
});

describe('ec2 specifics', () => {
  it('uses an IMDSv2 token on every GET', async () => {
    const em = await track(startEc2());
    await ask(ec2Datasource, em);
    expect(em.requests[0]).toMatchObject({ method: 'PUT', path: '/latest/api/token' });
    expect(em.requests[0]?.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('21600');
    const gets = em.requests.filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.every((r) => typeof r.headers['x-aws-ec2-metadata-token'] === 'string')).toBe(true);
  });

  it('takes region, local IPv4 and hostname', async () => {
    const r = await ask(ec2Datasource, await track(startEc2()));
    expect(r).toMatchObject({ instanceId: 'i-0123456789abcdef0', region: 'eu-west-1', localIpv4: '10.0.0.12', meta: { imds: 'v2', 'availability-zone': 'eu-west-1a' } });
  });

  it('refuses IMDSv1 unless the manifest allows it', async () => {
    const em = await track(startEc2({ tokenStatus: 403, allowV1: true }));
    await expect(ask(ec2Datasource, em)).rejects.toMatchObject({ code: 'E_PLATFORM', fix: expect.stringMatching(/imdsv1/) });
    const r = await ask(ec2Datasource, em, 3000, { imdsv1: true });
    expect(r?.meta.imds).toBe('v1');
  });

  it('gives E_PLATFORM (401) when IMDSv1 is allowed but the service demands a token', async () => {
    const em = await track(startEc2({ tokenStatus: 403, allowV1: false }));
    await expect(ask(ec2Datasource, em, 3000, { imdsv1: true })).rejects.toMatchObject({ code: 'E_PLATFORM', message: expect.stringMatching(/401/) });
  });
});

describe('gce specifics', () => {
  it('sends Metadata-Flavor: Google and derives the region from the zone', async () => {
    const em = await track(startGce());
    const r = await ask(gceDatasource, em);
    expect(em.requests.every((q) => q.headers['metadata-flavor'] === 'Google')).toBe(true);
    expect(r).toMatchObject({ region: 'europe-west1', hostname: 'vm-1.c.project.internal' });
  });
});

describe('azure specifics', () => {
  it('refuses userData that is not base64', async () => {
    await expect(ask(azureDatasource, await track(startAzure({ rawUserData: '{"config":{}}' })))).rejects.toMatchObject({ code: 'E_USERDATA_INVALID' });
  });

  it('has no user data when userData is empty', async () => {
    const r = await ask(azureDatasource, await track(startAzure({ userData: null })));
    expect(r).toMatchObject({ instanceId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6', region: 'westeurope', localIpv4: '10.1.0.4', userData: null });
  });
});

describe('openstack specifics', () => {
  it('gives E_PLATFORM when meta_data.json is not JSON', async () => {
    await expect(ask(openstackDatasource, await track(startOpenstack({ fault: { kind: 'garbage-body', path: /meta_data/ } })))).rejects.toMatchObject({ code: 'E_PLATFORM' });
  });
});

describe('unreachable network', () => {
  it('treats "no route" like no answer: retried until the deadline, then E_PLATFORM_TIMEOUT', async () => {
    let calls = 0;
    const ctx = datasourceContext(m, { deadlineMs: 600, settings: { endpoints: { ec2: 'http://127.0.0.1:9' } } });
    ctx.system = {
      ...ctx.system,
      http: async () => {
        calls++;
        const cause = Object.assign(new Error('connect ENETUNREACH'), { code: 'ENETUNREACH' });
        throw new AgentError('E_PLATFORM', 'PUT failed: connect ENETUNREACH', { cause });
      },
    };
    await expect(ec2Datasource.fetch(ctx)).rejects.toMatchObject({ code: 'E_PLATFORM_TIMEOUT', message: expect.stringMatching(/ENETUNREACH/) });
    expect(calls).toBeGreaterThan(1);
  });
});
