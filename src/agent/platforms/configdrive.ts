// Platform "configdrive": an OpenStack config drive, a volume labelled config-2 (openstack/latest/...).

import { AgentError } from '../../errors';
import { findConfigDisk, readConfigDisk } from './config-disk';
import { MAX_USER_DATA_BYTES } from '../../manifest/user-data-bytes';
import { pick } from './meta-data';
import { parseJsonObject } from './platform-errors';
import { openstackKeys } from './ssh-key-sources';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

export const configdriveDatasource: Datasource<'configdrive'> = {
  name: 'configdrive',
  kind: 'local',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const device = await findConfigDisk(ctx, 'config-2');
    if (!device) return null;
    const files = await readConfigDisk(ctx, 'configdrive', device, [
      { path: 'openstack/latest/meta_data.json', max: MAX_USER_DATA_BYTES },
      { path: 'openstack/latest/user_data', max: MAX_USER_DATA_BYTES },
    ]);
    const meta = files['openstack/latest/meta_data.json'] ?? null;
    if (meta !== null && meta.length > MAX_USER_DATA_BYTES) {
      throw new AgentError('E_PLATFORM', `configdrive: meta_data.json on ${device.path} is larger than 1 MiB`, {
        where: device.path,
        fix: 'keep meta_data.json to what OpenStack writes there; put large files into the image or user_data',
      });
    }
    const where = `${device.path}:openstack/latest/meta_data.json`;
    return openstackResult('configdrive', meta === null ? null : meta.toString('utf8'), files['openstack/latest/user_data'] ?? null, where);
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
  const fix = 'meta_data.json is one JSON object as OpenStack writes it: recreate the config drive, or check datasources.endpoints.openstack';
  const m = parseJsonObject(metaText, platform, 'meta_data.json', where, fix);
  const instanceId = pick(m, 'uuid');
  const hostname = pick(m, 'hostname', 'name');
  const sshKeys = openstackKeys(m);
  return {
    platform,
    userData,
    meta: m,
    ...(instanceId ? { instanceId } : {}),
    ...(hostname ? { hostname } : {}),
    ...(sshKeys.length ? { sshKeys } : {}),
  };
}
