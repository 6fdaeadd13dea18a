// Platform "gce": the Google Compute Engine metadata server (Metadata-Flavor: Google), attribute user-data.

import { baseUrl, bodyOr404, metadataRequest } from './http-retry';
import { stoppedAnswering } from './platform-errors';
import { gceKeys } from './ssh-key-sources';
import type { RawSshKey } from './ssh-keys';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

const NAME = 'gce';
const FLAVOR = { 'Metadata-Flavor': 'Google' };

export const gceDatasource: Datasource<'gce'> = {
  name: NAME,
  kind: 'network',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    // By address, not metadata.google.internal: there is no resolver this early in boot.
    const v1 = `${baseUrl(ctx, NAME)}/computeMetadata/v1`;
    const base = `${v1}/instance`;
    const get = async (path: string, userData = false, root = base): Promise<Buffer | null | undefined> => {
      const url = `${root}${path}`;
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
    const text = async (path: string, root = base) => {
      const b = await get(path, false, root);
      if (b === undefined) throw stoppedAnswering(NAME, root + path);
      return b?.toString('utf8').trim() || undefined;
    };
    const hostname = await text('/hostname');
    const zone = (await text('/zone'))?.split('/').pop();
    const sshKeys = await gceSshKeys(text, (path) => text(path, `${v1}/project`));
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
      ...(sshKeys.length ? { sshKeys } : {}),
    };
  },
};

type Text = (path: string) => Promise<string | undefined>;

/** The instance's ssh-keys, and the project's unless the instance blocks them (block-project-ssh-keys). */
async function gceSshKeys(instance: Text, project: Text): Promise<RawSshKey[]> {
  const own = await instance('/attributes/ssh-keys');
  const keys = own === undefined ? [] : gceKeys(own, 'instance ssh-keys');
  if ((await instance('/attributes/block-project-ssh-keys'))?.toLowerCase() === 'true') return keys;
  const shared = await project('/attributes/ssh-keys');
  return shared === undefined ? keys : [...keys, ...gceKeys(shared, 'project ssh-keys')];
}
