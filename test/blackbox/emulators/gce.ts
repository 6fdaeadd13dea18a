// Emulates the GCE metadata server: requires Metadata-Flavor: Google and answers with it.

import { startEmulator, type Emulator, type Fault } from './server';

export interface GceOptions {
  userData?: string | null;
  fault?: Fault | null;
  /** instance and project attributes "ssh-keys" ("user:key" lines), and "block-project-ssh-keys" */
  instanceKeys?: string;
  projectKeys?: string;
  blockProjectKeys?: boolean;
}

export async function startGce(options: GceOptions = {}): Promise<Emulator> {
  const base = '/computeMetadata/v1/instance';
  const paths: Record<string, string> = {
    [`${base}/id`]: '4520031799277581759',
    [`${base}/hostname`]: 'vm-1.c.project.internal',
    [`${base}/zone`]: 'projects/123456/zones/europe-west1-b',
  };
  if (options.instanceKeys !== undefined) paths[`${base}/attributes/ssh-keys`] = options.instanceKeys;
  if (options.projectKeys !== undefined) paths['/computeMetadata/v1/project/attributes/ssh-keys'] = options.projectKeys;
  if (options.blockProjectKeys) paths[`${base}/attributes/block-project-ssh-keys`] = 'TRUE';
  if (options.userData !== null) paths[`${base}/attributes/user-data`] = options.userData ?? '{"config":{"greeting":"from gce"}}';
  const flavor = { 'Metadata-Flavor': 'Google' };
  return startEmulator((req) => {
    if (req.headers['metadata-flavor'] !== 'Google') return { status: 403, body: 'Missing Metadata-Flavor:Google header.', headers: flavor };
    const body = paths[req.path];
    return { status: body === undefined ? 404 : 200, body: body ?? 'not found', headers: flavor };
  }, options.fault ?? null);
}
