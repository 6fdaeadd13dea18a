// Proves the ephemeral link-local bring-up: when it acts, which interface, what it runs, and that it tears down.

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecResult } from '../../system/system';
import { bringUpLinkLocal, linkLocalFor, metadataRouted } from './network-up';
import { machine, type Machine } from '../test-machine';

let m: Machine;
let calls: string[];
beforeEach(() => {
  m = machine();
  calls = [];
  const bin = join(m.base, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'ip'), '#!/bin/sh\nexit 1\n');
  chmodSync(join(bin, 'ip'), 0o755);
  m.system = {
    ...m.system,
    env: { PATH: bin },
    exec: async (_file: string, args: string[]): Promise<ExecResult> => {
      calls.push(args.join(' '));
      return { code: 0, signal: null, stdout: '', stderr: '' };
    },
  };
});
afterEach(() => m.cleanup());

const HEADER = 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n';

function nic(name: string, opts: { type?: string; device?: boolean; flags?: string; mac?: string } = {}): void {
  m.put(`sys/class/net/${name}/type`, `${opts.type ?? '1'}\n`);
  m.put(`sys/class/net/${name}/flags`, `${opts.flags ?? '0x1002'}\n`);
  m.put(`sys/class/net/${name}/address`, `${opts.mac ?? '52:54:00:12:34:56'}\n`);
  if (opts.device ?? true) mkdirSync(join(m.base, `sys/class/net/${name}/device`), { recursive: true });
}

describe('metadataRouted', () => {
  it('sees a default route and a 169.254.0.0/16 route, not a lo or down route', async () => {
    m.put('proc/net/route', HEADER + 'eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n');
    expect(await metadataRouted(m.system)).toBe(true);
    m.put('proc/net/route', HEADER + 'eth0\t0000FEA9\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n');
    expect(await metadataRouted(m.system)).toBe(true);
    m.put('proc/net/route', HEADER + 'eth0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\nlo\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n');
    expect(await metadataRouted(m.system)).toBe(false);
  });
});

describe('bringUpLinkLocal', () => {
  it('does nothing when a route to the metadata address exists', async () => {
    m.put('proc/net/route', HEADER + 'eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n');
    nic('eth0');
    expect(await bringUpLinkLocal(m.system)).toBeNull();
    expect(calls).toEqual([]);
  });

  it('brings lo and the first NIC up with a link-local address, and restores both after', async () => {
    m.put('proc/net/route', HEADER);
    nic('br0', { device: false });
    nic('ens4', { mac: 'aa:bb:cc:dd:ee:ff' });
    nic('ens5');
    const link = await bringUpLinkLocal(m.system);
    const address = `${linkLocalFor('aa:bb:cc:dd:ee:ff')}/16`;
    expect(link).toMatchObject({ iface: 'ens4', address });
    expect(calls).toEqual(['link set lo up', 'link set dev ens4 up', `addr add ${address} dev ens4`]);
    await link?.teardown();
    expect(calls.slice(3)).toEqual([`addr del ${address} dev ens4`, 'link set dev ens4 down']);
  });

  it('leaves an interface that was already up, up', async () => {
    nic('eth0', { flags: '0x1003' });
    const link = await bringUpLinkLocal(m.system);
    await link?.teardown();
    expect(calls.at(-1)).toMatch(/^addr del /);
  });

  it('does nothing without an ethernet NIC', async () => {
    nic('wg0', { type: '65534' });
    nic('br0', { device: false });
    expect(await bringUpLinkLocal(m.system)).toBeNull();
    expect(calls).toEqual([]);
  });

  it('gives up, restoring the link, when the address cannot be added', async () => {
    nic('eth0');
    m.system = { ...m.system, exec: async (_f: string, args: string[]) => (calls.push(args.join(' ')), { code: args[0] === 'addr' ? 2 : 0, signal: null, stdout: '', stderr: '' }) };
    expect(await bringUpLinkLocal(m.system)).toBeNull();
    expect(calls.at(-1)).toBe('link set dev eth0 down');
  });
});

describe('linkLocalFor', () => {
  it('stays in 169.254.1.0-169.254.254.255, never the metadata address, and is stable per MAC', () => {
    for (let i = 0; i < 2000; i++) {
      const a = linkLocalFor(`52:54:00:${(i >> 8).toString(16)}:${(i & 255).toString(16)}:01`);
      const [, , third, fourth] = a.split('.').map(Number) as [number, number, number, number];
      expect(third).toBeGreaterThanOrEqual(1);
      expect(third).toBeLessThanOrEqual(254);
      expect(a).not.toBe('169.254.169.254');
      expect(fourth).toBeLessThanOrEqual(255);
    }
    expect(linkLocalFor('52:54:00:12:34:56')).toBe(linkLocalFor('52:54:00:12:34:56'));
  });
});
