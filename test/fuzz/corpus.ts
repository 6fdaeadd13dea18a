// The well-formed inputs the fuzzer starts from: manifests, config schemas, user data, an image's files.

/** A config schema of each kind the agent meets: plain, nested with secrets, $refs, combinators, draft-07. */
export const SCHEMAS: ReadonlyArray<Record<string, unknown>> = [
  {
    type: 'object',
    properties: { greeting: { type: 'string', default: 'hello' }, db_password: { type: 'string', writeOnly: true } },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['owner'],
    properties: {
      owner: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 8080 },
      mode: { enum: ['fast', 'safe'] },
      db: { type: 'object', default: {}, properties: { host: { type: 'string', default: 'localhost' }, password: { type: 'string', writeOnly: true } } },
      users: { type: 'array', uniqueItems: true, items: { $ref: '#/$defs/user' } },
      tags: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9-]+$' }, uniqueItems: true },
    },
    $defs: { user: { type: 'object', properties: { name: { type: 'string' }, token: { type: 'string', writeOnly: true } } } },
  },
  {
    type: 'object',
    properties: {
      tree: { $ref: '#/$defs/node' },
      choice: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
      cond: { if: { type: 'string' }, then: { minLength: 2 }, else: { type: 'number' } },
      all: { allOf: [{ type: 'object' }, { properties: { a: { type: 'boolean', default: true } } }] },
    },
    $defs: { node: { type: 'object', properties: { name: { type: 'string' }, kids: { type: 'array', items: { $ref: '#/$defs/node' } } } } },
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { list: { type: 'array', items: { $ref: '#/definitions/item' } }, pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] } },
    definitions: { item: { type: 'object', properties: { id: { type: 'integer' }, secret: { type: 'string', writeOnly: true } } } },
  },
];

/**
 * A manifest around `schema`, listing `platforms`, with templates, volatile paths and entry points;
 * `disks` adds a persistent volume, which a dry run on this host cannot find (the run stops there).
 */
export function manifestWith(schema: Record<string, unknown> | undefined, platforms: string[], disks = true): Record<string, unknown> {
  const m: Record<string, unknown> = {
    cloudlet: '0.0.4',
    name: 'fuzz',
    version: '1.0.0',
    platforms,
    datasources: { timeout: 1, total: 2 },
    ...(schema ? { config: { schema } } : {}),
    templates: ['/etc/motd', { path: '/etc/app/app.conf', mode: '0640' }],
    persistent: ['/var/lib/app'],
    volatile: ['/tmp', { path: '/var/cache/app', size: '16M', mode: '1777' }],
    storage: { device: 'LABEL=fuzz-data', fstype: 'ext4', format: 'never' },
    onError: 'halt',
    entrypoints: {
      init: { path: '/sbin/init', requires: { os: 'linux', kernel: '>=3.0' } },
      chroot: { command: ['/bin/sh', '-c', 'true'], env: { A: 'b' } },
      kernel: { path: '/boot/vmlinuz', requires: { arch: ['x86_64', 'arm64'] } },
    },
  };
  if (!disks) {
    delete m.persistent;
    delete m.storage;
  }
  return m;
}

/** USER_DATA without its storage override, for runs that should get past the mounts step. */
export function userDataWithoutDisks(): Record<string, unknown> {
  const { storage: _storage, ...rest } = USER_DATA;
  return rest;
}

/** User data that fits every schema above in part: each schema finds some of it valid. */
export const USER_DATA: Record<string, unknown> = {
  config: {
    greeting: 'bonjour',
    db_password: 'fuzz-secret-0001',
    owner: 'ops',
    port: 8443,
    mode: 'safe',
    db: { host: 'db.internal', password: 'fuzz-secret-0002' },
    users: [{ name: 'a', token: 'fuzz-secret-0003' }, { name: 'b' }],
    tags: ['web', 'eu-1'],
    tree: { name: 'root', kids: [{ name: 'leaf', kids: [] }] },
    choice: 3,
    list: [{ id: 1, secret: 'fuzz-secret-0004' }],
    pair: ['x', 1],
  },
  hostname: 'web-1',
  storage: { device: '/dev/vdb', options: 'noatime' },
};

/** Files of the image besides the manifest: the templates it names. */
export const IMAGE_FILES: Readonly<Record<string, string>> = {
  '/etc/motd': 'greeting=<%= config.greeting %> platform=<%= env.platform %>\n',
  '/etc/app/app.conf': '<% for (const [k, v] of Object.entries(config)) { %><%= k %>=<%= typeof v %>\n<% } %>',
};
