// Platform "openstack": the OpenStack metadata service, openstack/latest/meta_data.json and user_data.

import { baseUrl, bodyOr404, metadataRequest } from './http-retry';
import { openstackResult } from './configdrive';
import { stoppedAnswering } from './platform-errors';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

const NAME = 'openstack';

export const openstackDatasource: Datasource<'openstack'> = {
  name: NAME,
  kind: 'network',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const base = baseUrl(ctx, NAME);
    const metaUrl = `${base}/openstack/latest/meta_data.json`;
    const metaRes = await metadataRequest(ctx, NAME, { url: metaUrl });
    if (metaRes === null) return null;
    const metaText = bodyOr404(NAME, metaUrl, metaRes);
    if (metaText === null) return null;
    const userUrl = `${base}/openstack/latest/user_data`;
    const userRes = await metadataRequest(ctx, NAME, { url: userUrl }, true);
    if (userRes === null) throw stoppedAnswering(NAME, userUrl);
    const userData = bodyOr404(NAME, userUrl, userRes) === null ? null : userRes.body;
    return openstackResult(NAME, metaText, userData, metaUrl);
  },
};
