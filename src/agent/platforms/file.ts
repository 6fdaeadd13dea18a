// Platform "file": a default baked into the image at /etc/cloudlet/user-data.json, tried after every other.

import { joinRoot } from '../../system/root-path';
import { readCapped } from '../../manifest/user-data-file';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

export const BAKED_USER_DATA = '/etc/cloudlet/user-data.json';

export const fileDatasource: Datasource<'file'> = {
  name: 'file',
  kind: 'fallback',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const bytes = await readCapped(await joinRoot(ctx.root, BAKED_USER_DATA));
    if (bytes === null) return null;
    return { platform: 'file', userData: bytes, meta: { path: BAKED_USER_DATA } };
  },
};
