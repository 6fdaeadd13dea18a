// Emulates the OpenStack metadata service: openstack/latest/meta_data.json and user_data.

import { startEmulator, type Emulator, type Fault } from './server';

export interface OpenstackOptions {
  userData?: string | null;
  fault?: Fault | null;
  hostname?: string;
  /** meta_data.json "keys" entries and "public_keys" mapping, as Nova writes them */
  keys?: Array<{ name: string; type: string; data: string }>;
  publicKeys?: Record<string, string>;
}

export async function startOpenstack(options: OpenstackOptions = {}): Promise<Emulator> {
  const meta = {
    uuid: '83679162-1378-4288-a2d4-70e13ec132aa',
    hostname: options.hostname ?? 'os-vm-1',
    name: 'os-vm-1',
    availability_zone: 'nova',
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.publicKeys ? { public_keys: options.publicKeys } : {}),
  };
  return startEmulator((req) => {
    if (req.method !== 'GET') return { status: 405, body: 'method' };
    if (req.path === '/openstack/latest/meta_data.json') return { status: 200, body: JSON.stringify(meta) };
    if (req.path === '/openstack/latest/user_data' && options.userData !== null) {
      return { status: 200, body: options.userData ?? '{"config":{"greeting":"from openstack"}}' };
    }
    return null;
  }, options.fault ?? null);
}
