// Platform "xen": user data in XenStore at vm-data/user-data (xl guests), read with xenstore-read.

import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../errors';
import { findTool } from '../system/tools';
import { remainingMs } from './deadline';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

export const XENSTORE_KEY = 'vm-data/user-data';

export const xenDatasource: Datasource = {
  name: 'xen',
  kind: 'local',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const { system } = ctx;
    const bus = ['xen/xenbus', 'xen/xenbus_backend'].map((p) => join(system.hostPaths.dev, p));
    const onXen = (await Promise.all(bus.map((p) => access(p).then(() => true, () => false)))).some(Boolean)
      || (await readFile(join(system.hostPaths.sys, 'hypervisor', 'type'), 'utf8').then((t) => t.trim() === 'xen', () => false));
    if (!onXen) return null;
    const tool = await findTool(system, 'xenstore-read');
    if (!tool) {
      throw new AgentError('E_PLATFORM', 'xen: this is a Xen guest but xenstore-read is missing', {
        where: XENSTORE_KEY,
        fix: 'install xen-utils-common (xenstore-read) in the image, or use another platform',
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
  },
};
