// Emulates Azure IMDS: requires "Metadata: true"; userData is served base64-encoded.

import { startEmulator, type Emulator, type Fault } from './server';

export async function startAzure(options: { userData?: string | null; rawUserData?: string; fault?: Fault | null; publicKeys?: Array<{ keyData: string; path: string }> } = {}): Promise<Emulator> {
  const instance = {
    compute: { vmId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6', name: 'azvm1', location: 'westeurope', ...(options.publicKeys ? { publicKeys: options.publicKeys } : {}) },
    network: { interface: [{ ipv4: { ipAddress: [{ privateIpAddress: '10.1.0.4' }] } }] },
  };
  const userData = options.rawUserData ?? (options.userData === null ? '' : Buffer.from(options.userData ?? '{"config":{"greeting":"from azure"}}').toString('base64'));
  return startEmulator((req) => {
    if (req.headers.metadata !== 'true') return { status: 400, body: '{"error":"Bad request. Required metadata header not specified"}' };
    const [path, query = ''] = req.path.split('?');
    if (path === '/metadata/instance' && query.includes('api-version=')) return { status: 200, body: JSON.stringify(instance) };
    if (path === '/metadata/instance/compute/userData' && query.includes('format=text')) return { status: 200, body: userData };
    return null;
  }, options.fault ?? null);
}
