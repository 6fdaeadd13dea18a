// Platform "nocloud": a cloud-init NoCloud seed, a volume labelled cidata with user-data and meta-data.

import { AgentError } from '../../errors';
import { findConfigDisk, readConfigDisk } from './config-disk';
import { MAX_USER_DATA_BYTES } from '../../manifest/user-data-bytes';
import { parseMetaData, pick } from './meta-data';
import { keysFromValue } from './ssh-key-sources';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

/** meta-data holds a few keys; more than this is a mistake, not metadata. */
const META_MAX_BYTES = 64 << 10;

export const nocloudDatasource: Datasource<'nocloud'> = {
  name: 'nocloud',
  kind: 'local',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const device = await findConfigDisk(ctx, 'cidata');
    if (!device) return null;
    const files = await readConfigDisk(ctx, 'nocloud', device, [
      { path: 'user-data', max: MAX_USER_DATA_BYTES },
      { path: 'meta-data', max: META_MAX_BYTES },
    ]);
    const meta = files['meta-data'] ?? null;
    if (meta !== null && meta.length > META_MAX_BYTES) {
      throw new AgentError('E_PLATFORM', `nocloud: meta-data on ${device.path} is larger than ${META_MAX_BYTES} bytes`, {
        where: device.path,
        fix: 'meta-data holds a few keys (instance-id, local-hostname); put everything else into user-data',
      });
    }
    return nocloudResult(files['user-data'] ?? null, meta === null ? null : meta.toString('utf8'), device.path);
  },
};

/** What a seed's two files mean, apart from how they were read (unit-tested on fixtures). */
export function nocloudResult(userData: Buffer | null, metaText: string | null, where: string): DatasourceResult {
  const meta = metaText === null ? {} : parseMetaData(metaText, 'nocloud', `${where}:meta-data`);
  const instanceId = pick(meta, 'instance-id', 'instance_id');
  const hostname = pick(meta, 'local-hostname', 'hostname');
  const sshKeys = keysFromValue(meta['public-keys'], 'meta-data public-keys');
  return {
    platform: 'nocloud',
    userData,
    meta,
    ...(instanceId ? { instanceId } : {}),
    ...(hostname ? { hostname } : {}),
    ...(sshKeys.length ? { sshKeys } : {}),
  };
}
