// Platform "azure": Azure IMDS (header Metadata: true), instance metadata and base64 userData.

import { AgentError } from '../../errors';
import { decodeBase64 } from '../../readers/base64';
import { baseUrl, bodyOr404, metadataRequest } from './http-retry';
import { parseJsonObject, stoppedAnswering } from './platform-errors';
import { azureKeys } from './ssh-key-sources';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';
import { MAX_USER_DATA_BYTES } from '../../manifest/user-data-bytes';

const NAME = 'azure';
const HEADERS = { Metadata: 'true' };

export const azureDatasource: Datasource<'azure'> = {
  name: NAME,
  kind: 'network',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const base = baseUrl(ctx, NAME);
    const instanceUrl = `${base}/metadata/instance?api-version=2021-02-01`;
    const res = await metadataRequest(ctx, NAME, { url: instanceUrl, headers: HEADERS });
    if (res === null) return null;
    const text = bodyOr404(NAME, instanceUrl, res);
    if (text === null) return null;
    const meta = parseJsonObject(text, NAME, 'the instance metadata', instanceUrl, 'check that datasources.endpoints.azure (if set) points at Azure IMDS');
    const compute = (meta.compute ?? {}) as Record<string, unknown>;
    const userUrl = `${base}/metadata/instance/compute/userData?api-version=2021-01-01&format=text`;
    // base64 makes 1 MiB of user data 4/3 as long; the decoded size is checked again afterwards.
    const userRes = await metadataRequest(ctx, NAME, { url: userUrl, headers: HEADERS, maxBytes: Math.ceil((MAX_USER_DATA_BYTES + 1) * 4 / 3) + 4 }, true);
    if (userRes === null) throw stoppedAnswering(NAME, userUrl);
    const encoded = bodyOr404(NAME, userUrl, userRes)?.trim() ?? '';
    const userData = encoded === '' ? null : decodeBase64(encoded);
    if (encoded !== '' && userData === null) {
      throw new AgentError('E_USERDATA_INVALID', 'azure: userData is not base64', { where: userUrl, fix: 'pass the file with az vm create --user-data ud.json' });
    }
    const instanceId = str(compute.vmId);
    const hostname = str(compute.name);
    const region = str(compute.location);
    const localIpv4 = firstIpv4(meta.network);
    const sshKeys = azureKeys(meta);
    return {
      platform: NAME,
      userData,
      meta,
      ...(instanceId ? { instanceId } : {}),
      ...(hostname ? { hostname } : {}),
      ...(region ? { region } : {}),
      ...(localIpv4 ? { localIpv4 } : {}),
      ...(sshKeys.length ? { sshKeys } : {}),
    };
  },
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function firstIpv4(network: unknown): string | undefined {
  const iface = (network as { interface?: Array<{ ipv4?: { ipAddress?: Array<{ privateIpAddress?: unknown }> } }> } | undefined)?.interface?.[0];
  return str(iface?.ipv4?.ipAddress?.[0]?.privateIpAddress);
}
