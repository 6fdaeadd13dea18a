// Platform "gce": the Google Compute Engine metadata server (Metadata-Flavor: Google), attribute user-data.

import { baseUrl, bodyOr404, metadataRequest } from './http-retry';
import { stoppedAnswering } from './platform-errors';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

const NAME = 'gce';
const FLAVOR = { 'Metadata-Flavor': 'Google' };

export const gceDatasource: Datasource = {
  name: NAME,
  kind: 'network',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    // By address, not metadata.google.internal: there is no resolver this early in boot.
    const base = `${baseUrl(ctx, NAME)}/computeMetadata/v1/instance`;
    const get = async (path: string, userData = false): Promise<Buffer | null | undefined> => {
      const url = `${base}${path}`;
      const res = await metadataRequest(ctx, NAME, { url, headers: FLAVOR }, userData);
      if (res === null) return undefined;
      return bodyOr404(NAME, url, res) === null ? null : res.body;
    };
    // Only the real metadata server answers with Metadata-Flavor: Google; anything else is not GCE.
    const idUrl = `${base}/id`;
    const idRes = await metadataRequest(ctx, NAME, { url: idUrl, headers: FLAVOR });
    if (idRes === null || idRes.headers['metadata-flavor'] !== 'Google') return null;
    const idText = bodyOr404(NAME, idUrl, idRes);
    if (idText === null) return null;
    const text = async (path: string) => {
      const b = await get(path);
      if (b === undefined) throw stoppedAnswering(NAME, base + path);
      return b?.toString('utf8').trim() || undefined;
    };
    const hostname = await text('/hostname');
    const zone = (await text('/zone'))?.split('/').pop();
    const userData = await get('/attributes/user-data', true);
    if (userData === undefined) throw stoppedAnswering(NAME, `${base}/attributes/user-data`);
    const instanceId = idText.trim();
    const region = zone?.replace(/-[a-z]$/, '');
    return {
      platform: NAME,
      userData,
      meta: { id: instanceId, ...(hostname ? { hostname } : {}), ...(zone ? { zone } : {}) },
      instanceId,
      ...(hostname ? { hostname } : {}),
      ...(region ? { region } : {}),
    };
  },
};
