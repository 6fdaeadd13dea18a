// Platform "ec2": the EC2 instance metadata service, IMDSv2 (session token) and IMDSv1 only when allowed.

import { AgentError } from '../../errors';
import { baseUrl, bodyOr404, metadataRequest } from './http-retry';
import { stoppedAnswering } from './platform-errors';
import { MAX_SSH_KEYS, keyLines, type RawSshKey } from './ssh-keys';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

const NAME = 'ec2';
const TOKEN_TTL_SECONDS = '21600';

export const ec2Datasource: Datasource<'ec2'> = {
  name: NAME,
  kind: 'network',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const base = baseUrl(ctx, NAME);
    const token = await sessionToken(ctx, base);
    if (token === undefined) return null;
    const headers: Record<string, string> = token === null ? {} : { 'X-aws-ec2-metadata-token': token };
    const get = async (path: string, userData = false): Promise<Buffer | null> => {
      const url = `${base}${path}`;
      const res = await metadataRequest(ctx, NAME, { url, headers }, userData);
      if (res === null) throw stoppedAnswering(NAME, url);
      if (res.status === 401) {
        throw new AgentError('E_PLATFORM', `ec2: ${url} refused the request (HTTP 401)${token === null ? ': IMDSv1 is disabled on this instance' : ''}`, {
          where: url,
          fix: token === null ? 'allow IMDSv2 tokens (PUT /latest/api/token) to reach the instance' : 'the session token was refused; check the instance metadata options',
        });
      }
      return bodyOr404(NAME, url, res) === null ? null : res.body;
    };
    const instanceId = await get('/latest/meta-data/instance-id');
    if (instanceId === null) return null;
    const text = async (path: string) => (await get(path))?.toString('utf8').trim() || undefined;
    const region = await text('/latest/meta-data/placement/region');
    const availabilityZone = await text('/latest/meta-data/placement/availability-zone');
    const localIpv4 = await text('/latest/meta-data/local-ipv4');
    const hostname = await text('/latest/meta-data/local-hostname');
    const sshKeys = await publicKeys(text);
    const userData = await get('/latest/user-data', true);
    const id = instanceId.toString('utf8').trim();
    const meta: Record<string, unknown> = {
      'instance-id': id,
      ...(region ? { region } : {}),
      ...(availabilityZone ? { 'availability-zone': availabilityZone } : {}),
      ...(localIpv4 ? { 'local-ipv4': localIpv4 } : {}),
      ...(hostname ? { 'local-hostname': hostname } : {}),
      imds: token === null ? 'v1' : 'v2',
    };
    return {
      platform: NAME,
      userData,
      meta,
      instanceId: id,
      ...(hostname ? { hostname } : {}),
      ...(region ? { region } : {}),
      ...(localIpv4 ? { localIpv4 } : {}),
      ...(sshKeys.length ? { sshKeys } : {}),
    };
  },
};

/** The key pair(s) of the instance: public-keys/ lists "0=name" lines, each index has an openssh-key. */
async function publicKeys(text: (path: string) => Promise<string | undefined>): Promise<RawSshKey[]> {
  const listing = await text('/latest/meta-data/public-keys/');
  if (listing === undefined) return [];
  const indexes = keyLines(listing).map((l) => /^(\d+)=/.exec(l)?.[1]).filter((n): n is string => n !== undefined).slice(0, MAX_SSH_KEYS);
  const keys: RawSshKey[] = [];
  for (const n of indexes) {
    const body = await text(`/latest/meta-data/public-keys/${n}/openssh-key`);
    if (body !== undefined) keys.push(...keyLines(body).map((line) => ({ line, where: `public-keys/${n}/openssh-key` })));
  }
  return keys;
}

/**
 * The IMDSv2 session token; null to go on with IMDSv1 (only when the manifest allows it); undefined
 * when this is not an EC2 metadata service (nothing listens, or the token path does not exist).
 */
async function sessionToken(ctx: DatasourceContext, base: string): Promise<string | null | undefined> {
  const url = `${base}/latest/api/token`;
  const res = await metadataRequest(ctx, NAME, { method: 'PUT', url, headers: { 'X-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS }, maxBytes: 4096 });
  if (res === null) return undefined;
  if (res.status === 200) {
    const token = res.body.toString('utf8').trim();
    if (token === '' || /[\r\n]/.test(token)) throw new AgentError('E_PLATFORM', 'ec2: the IMDSv2 token answer is empty or malformed', {
        where: url,
        fix: 'check that datasources.endpoints.ec2 (if set) points at an EC2 instance metadata service',
      });
    return token;
  }
  if (ctx.settings.imdsv1 === true) return null;
  if (res.status === 404) return undefined;
  throw new AgentError('E_PLATFORM', `ec2: the IMDSv2 token request was refused (HTTP ${res.status})`, {
    where: url,
    fix: 'check the instance metadata options (hop limit, IMDSv2), or set datasources.imdsv1 to true in the manifest to allow IMDSv1',
  });
}
