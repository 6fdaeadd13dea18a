// Platform "nocloud": a cloud-init NoCloud seed, a volume labelled cidata with user-data and meta-data.

import { join } from 'node:path';
import { findConfigDisk, withMountedDisk } from './config-disk';
import { readCapped, readText } from './local-files';
import { parseMetaData, pick } from './meta-data';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

export const nocloudDatasource: Datasource = {
  name: 'nocloud',
  kind: 'local',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const device = await findConfigDisk(ctx, 'cidata');
    if (!device) return null;
    return withMountedDisk(ctx, 'nocloud', device, async (dir) => {
      const userData = await readCapped(join(dir, 'user-data'));
      const metaText = await readText(join(dir, 'meta-data'), 64 << 10);
      return nocloudResult(userData, metaText, device.path);
    });
  },
};

/** What a seed's two files mean, apart from how they were read (unit-tested on fixtures). */
export function nocloudResult(userData: Buffer | null, metaText: string | null, where: string): DatasourceResult {
  const meta = metaText === null ? {} : parseMetaData(metaText, 'nocloud', `${where}:meta-data`);
  const instanceId = pick(meta, 'instance-id', 'instance_id');
  const hostname = pick(meta, 'local-hostname', 'hostname');
  return {
    platform: 'nocloud',
    userData,
    meta,
    ...(instanceId ? { instanceId } : {}),
    ...(hostname ? { hostname } : {}),
  };
}
