// Platform "configdrive": an OpenStack config drive, a volume labelled config-2 (openstack/latest/...).

import { join } from 'node:path';
import { AgentError } from '../errors';
import { findConfigDisk, withMountedDisk } from './config-disk';
import { readCapped, readText } from './local-files';
import { pick } from './meta-data';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

export const configdriveDatasource: Datasource = {
  name: 'configdrive',
  kind: 'local',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const device = await findConfigDisk(ctx, 'config-2');
    if (!device) return null;
    return withMountedDisk(ctx, 'configdrive', device, async (dir) => {
      const latest = join(dir, 'openstack', 'latest');
      const metaText = await readText(join(latest, 'meta_data.json'), 1 << 20);
      const userData = await readCapped(join(latest, 'user_data'));
      return openstackResult('configdrive', metaText, userData, `${device.path}:openstack/latest/meta_data.json`);
    });
  },
};

/** OpenStack's meta_data.json (config drive or metadata service) and user_data as a result. */
export function openstackResult(platform: string, metaText: string | null, userData: Buffer | null, where: string): DatasourceResult {
  if (metaText === null) {
    throw new AgentError('E_PLATFORM', `${platform}: openstack/latest/meta_data.json is missing`, {
      where,
      fix: 'make the config drive with "openstack server create --config-drive true" or the same layout',
    });
  }
  let meta: unknown;
  try {
    meta = JSON.parse(metaText);
  } catch {
    throw new AgentError('E_PLATFORM', `${platform}: meta_data.json is not JSON`, { where });
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw new AgentError('E_PLATFORM', `${platform}: meta_data.json is not a JSON object`, { where });
  }
  const m = meta as Record<string, unknown>;
  const instanceId = pick(m, 'uuid');
  const hostname = pick(m, 'hostname', 'name');
  return {
    platform,
    userData,
    meta: m,
    ...(instanceId ? { instanceId } : {}),
    ...(hostname ? { hostname } : {}),
  };
}
