// Shared fake inputs for the templates unit tests: a manifest, facts, user data and file states.

import type { DatasourceResult } from '../platforms/types';
import { helloManifest, helloSettings } from '../../manifest/test-fixtures';
import type { NormalizedManifest, TemplateSpec } from '../../manifest/types';
import type { ValidatedUserData } from '../../manifest/user-data';
import type { Facts } from '../requirements/facts-types';
import { buildContext, type TemplateContext } from './context';
import { parseAccounts } from './owners';
import type { FileState, PlanInput, TemplateInput } from './plan';

export const SECRET = 'hunter2-"s3cret"';

/** The hello manifest as loaded, with the settings these tests read (`port`, a nested `db`). */
export function fakeManifest(templates: TemplateSpec[] = []): NormalizedManifest {
  const { greeting, db_password } = helloSettings();
  return helloManifest({
    platforms: ['nocloud'],
    config: {
      schema: {
        type: 'object',
        properties: { greeting, port: { type: 'integer' }, db_password, db: { type: 'object', properties: { host: { type: 'string' }, replicas: { type: 'array' } } } },
      },
    },
    templates,
    entrypoints: { init: {} },
    hash: 'abc',
  });
}

export const FACTS: Facts = {
  arch: 'x86_64',
  os: 'linux',
  kernelRelease: '6.1.0-13-amd64',
  hostname: 'facts-host',
  cpus: 2,
  memoryBytes: 2 * 1024 ** 3,
  cpuFlags: ['sse2'],
  hypervisor: 'kvm',
};

export const USER_DATA: ValidatedUserData = {
  config: { greeting: 'hi', db_password: SECRET, db: { host: 'db.local', replicas: ['a', 'b'] } },
  secrets: [SECRET],
};

export const SOURCE: DatasourceResult = {
  platform: 'nocloud',
  userData: null,
  meta: { 'instance-id': 'i-123', 'local-hostname': 'meta-host' },
  instanceId: 'i-123',
  hostname: 'meta-host',
};

export function fakeContext(templates: TemplateSpec[] = []): TemplateContext {
  return buildContext({ manifest: fakeManifest(templates), facts: FACTS, userData: USER_DATA, source: SOURCE });
}

export function file(text: string, mode = 0o644, uid = 0, gid = 0): FileState {
  return { content: Buffer.from(text), mode: 0o100000 | mode, uid, gid };
}

export const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n';
export const GROUP = 'root:x:0:\napp:x:1000:\nadm:x:4:\n';

export function planInput(templates: TemplateInput[], includes: PlanInput['includes'] = new Map()): PlanInput {
  return {
    templates,
    context: fakeContext(templates.map((t) => t.spec)),
    accounts: parseAccounts(PASSWD, GROUP),
    includes,
    secrets: USER_DATA.secrets,
  };
}
