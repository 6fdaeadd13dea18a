// Platform "xen": user data in XenStore at vm-data/user-data (xl guests), read over the xenbus device, else xenstore-read.

import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { findTool } from '../../system/tools';
import { remainingMs } from './deadline';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';
import { openXenbus, xenstoreRead, type XenbusPort } from '../../readers/xenstore';

export const XENSTORE_KEY = 'vm-data/user-data';
/** The domain's entry under /vm: "/vm/<uuid>", the UUID the toolstack gave this guest. */
const VM_KEY = 'vm';

/** Where a guest reaches xenstored: the xenbus frontend device, or xenfs mounted on /proc/xen. */
function xenbusPaths(system: System): string[] {
  return [join(system.hostPaths.dev, 'xen', 'xenbus'), join(system.hostPaths.proc, 'xen', 'xenbus')];
}

async function onXen(system: System): Promise<boolean> {
  const devices = [...xenbusPaths(system), join(system.hostPaths.dev, 'xen', 'xenbus_backend')];
  if ((await Promise.all(devices.map((p) => access(p).then(() => true, () => false)))).some(Boolean)) return true;
  return readFile(join(system.hostPaths.sys, 'hypervisor', 'type'), 'utf8').then((t) => t.trim() === 'xen', () => false);
}

export const xenDatasource: Datasource<'xen'> = {
  name: 'xen',
  kind: 'local',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const { system } = ctx;
    if (!(await onXen(system))) return null;
    for (const path of xenbusPaths(system)) {
      const port = await openXenbus(path);
      if (port) return readOverXenbus(ctx, port, path).finally(() => port.close());
    }
    return readWithTool(ctx);
  },
};

async function readOverXenbus(ctx: DatasourceContext, port: XenbusPort, device: string): Promise<DatasourceResult | null> {
  const clock = () => ctx.system.monotonicMs();
  const read = (key: string, reqId: number) => xenstoreRead(port, key, reqId, ctx.deadline, clock).catch((err: unknown) => {
    if (err instanceof AgentError) throw err;
    throw new AgentError('E_PLATFORM', `xen: reading ${key} through ${device} failed: ${(err as Error).message}`, {
      where: device,
      fix: 'check the guest kernel\'s Xen drivers (dmesg): the xenbus device opened but did not carry the request',
      cause: err,
    });
  });
  const answer = await read(XENSTORE_KEY, 1);
  if ('error' in answer) {
    if (answer.error === 'ENOENT') return null;
    throw new AgentError('E_PLATFORM', `xen: XenStore refused to read ${XENSTORE_KEY} (${answer.error})`, {
      where: XENSTORE_KEY,
      fix: `write the key from dom0 under the guest's own tree, /local/domain/<domid>/${XENSTORE_KEY}, which the guest may read (see docs/platforms.md)`,
    });
  }
  const meta: Record<string, unknown> = { key: XENSTORE_KEY, device };
  const result: DatasourceResult = { platform: 'xen', userData: answer.value, meta };
  // The guest's UUID identifies it across reboots and changes in a clone; a guest may lack the key.
  const vm = await read(VM_KEY, 2).catch(() => null);
  const uuid = vm && 'value' in vm ? /^\/vm\/([0-9a-fA-F-]{36})$/.exec(vm.value.toString('utf8'))?.[1] : undefined;
  if (uuid) {
    meta.vm = `/vm/${uuid}`;
    result.instanceId = uuid.toLowerCase();
  }
  return result;
}

/** The same key with the image's xenstore-read, for guests without a xenbus device the agent can open. */
async function readWithTool(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { system } = ctx;
  const tool = await findTool(system, 'xenstore-read');
  if (!tool) {
    throw new AgentError('E_PLATFORM', 'xen: this is a Xen guest but it has no xenbus device to read XenStore through, and no xenstore-read', {
      where: xenbusPaths(system).join(' or '),
      fix: 'use a kernel with the Xen xenbus frontend (CONFIG_XEN, as Debian\'s and Fedora\'s are), or mount xenfs on /proc/xen, or install xenstore-read (xen-utils-common) in the image',
    });
  }
  const r = await system.exec(tool, [XENSTORE_KEY], { timeoutMs: remainingMs(system, ctx.deadline) });
  if (r.signal) {
    throw new AgentError('E_PLATFORM_TIMEOUT', 'xen: xenstore-read did not answer in time', {
      where: XENSTORE_KEY,
      fix: 'check that xenstored runs in the guest\'s domain, or raise datasources.timeout in the manifest',
    });
  }
  // xenstore-read exits 1 with "could not read path" when the key does not exist.
  if (r.code !== 0) return null;
  return { platform: 'xen', userData: Buffer.from(r.stdout.replace(/\n$/, ''), 'utf8'), meta: { key: XENSTORE_KEY } };
}
