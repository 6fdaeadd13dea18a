// Emulates the EC2 instance metadata service: IMDSv2 tokens, 401 without one unless IMDSv1 is enabled.

import { startEmulator, type Emulator, type Fault } from './server';

export interface Ec2Options {
  userData?: string | Buffer | null;
  instanceId?: string;
  /** answer GETs without a token (IMDSv1) */
  allowV1?: boolean;
  /** status of PUT /latest/api/token when not 200 (IMDSv2 refused) */
  tokenStatus?: number;
  fault?: Fault | null;
  /** key pairs served under public-keys/ as "N=name" and N/openssh-key */
  publicKeys?: string[];
}

export async function startEc2(options: Ec2Options = {}): Promise<Emulator> {
  const token = `token-${Math.random().toString(36).slice(2)}`;
  const id = options.instanceId ?? 'i-0123456789abcdef0';
  const paths: Record<string, string | Buffer> = {
    '/latest/meta-data/instance-id': id,
    '/latest/meta-data/placement/region': 'eu-west-1',
    '/latest/meta-data/placement/availability-zone': 'eu-west-1a',
    '/latest/meta-data/local-ipv4': '10.0.0.12',
    '/latest/meta-data/local-hostname': 'ip-10-0-0-12.eu-west-1.compute.internal',
  };
  (options.publicKeys ?? []).forEach((key, i) => {
    paths['/latest/meta-data/public-keys/'] = `${paths['/latest/meta-data/public-keys/'] ?? ''}${i ? '\n' : ''}${i}=key-${i}`;
    paths[`/latest/meta-data/public-keys/${i}/openssh-key`] = `${key}\n`;
  });
  if (options.userData !== null) paths['/latest/user-data'] = options.userData ?? '{"config":{"greeting":"from ec2"}}';
  return startEmulator((req) => {
    if (req.path === '/latest/api/token') {
      if (req.method !== 'PUT') return { status: 405, body: 'use PUT' };
      if (options.tokenStatus) return { status: options.tokenStatus, body: 'refused' };
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return { status: 400, body: 'bad ttl' };
      return { status: 200, body: token };
    }
    if (req.method !== 'GET') return { status: 405, body: 'method' };
    const given = req.headers['x-aws-ec2-metadata-token'];
    if (given !== token && !(options.allowV1 && given === undefined)) return { status: 401, body: 'unauthorized' };
    const body = paths[req.path];
    return body === undefined ? null : { status: 200, body };
  }, options.fault ?? null);
}
