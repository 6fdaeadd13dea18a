import { describe, expect, it } from 'vitest';
import { checkManifestBytes } from './load';
import { redactConfig, userDataProblems, validateUserData } from './config';
import { exampleManifest } from './test-fixtures';
import type { NormalizedManifest } from './types';
import { agentErrorOf as thrown } from '../test-support';

const SECRET = 'hunter2-fixture-secret';

function manifestWith(schema: Record<string, unknown> | undefined): NormalizedManifest {
  const m = exampleManifest();
  m.config = schema === undefined ? undefined : { schema };
  const { manifest, problems } = checkManifestBytes(Buffer.from(JSON.stringify(m)), 'test');
  if (!manifest) throw new Error(`fixture manifest invalid: ${JSON.stringify(problems)}`);
  return manifest;
}

const example = () => manifestWith((exampleManifest().config as { schema: Record<string, unknown> }).schema);

const NESTED = {
  type: 'object',
  additionalProperties: false,
  required: ['db'],
  properties: {
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 8080 },
    db: {
      type: 'object',
      properties: {
        host: { type: 'string', default: 'localhost' },
        password: { type: 'string', writeOnly: true, minLength: 12 },
      },
    },
    users: { type: 'array', items: { $ref: '#/$defs/user' } },
    mode: { enum: ['fast', 'safe'] },
  },
  $defs: { user: { type: 'object', properties: { name: { type: 'string' }, token: { type: 'string', writeOnly: true } } } },
};

describe('validateUserData', () => {
  it('applies the config schema defaults', () => {
    const ud = validateUserData({ config: { db_password: SECRET } }, example(), 'nocloud');
    expect(ud.config).toEqual({ greeting: 'hello', db_password: SECRET });
  });

  it('gives the defaults as config when there is no user data at all', () => {
    const ud = validateUserData(undefined, example(), 'nocloud');
    expect(ud).toEqual({ config: { greeting: 'hello' }, secrets: [] });
  });

  it('applies nested defaults and keeps hostname and storage', () => {
    const ud = validateUserData({ config: { db: {} }, hostname: 'web-1', storage: { device: 'LABEL=x' } }, manifestWith(NESTED), 'ec2');
    expect(ud.config).toEqual({ port: 8080, db: { host: 'localhost' } });
    expect(ud.hostname).toBe('web-1');
    expect(ud.storage).toEqual({ device: 'LABEL=x' });
  });

  it('collects writeOnly values at any depth, through $ref and array items, as secrets', () => {
    const config = { db: { password: SECRET }, users: [{ name: 'a', token: 'tok-a-0001' }, { name: 'b', token: 'tok-b-0002' }] };
    const ud = validateUserData({ config }, manifestWith(NESTED), 'nocloud');
    expect(ud.secrets.sort()).toEqual([SECRET, 'tok-a-0001', 'tok-b-0002']);
  });

  it('collects every string inside a writeOnly object or array', () => {
    const schema = { type: 'object', properties: { keys: { type: 'object', writeOnly: true }, list: { type: 'array', writeOnly: true } } };
    const ud = validateUserData({ config: { keys: { a: 'k-1', b: { c: 'k-2' } }, list: ['k-3', 4] } }, manifestWith(schema), 'nocloud');
    expect(ud.secrets.sort()).toEqual(['k-1', 'k-2', 'k-3']);
  });

  it('counts a writeOnly default as a secret too', () => {
    const schema = { type: 'object', properties: { key: { type: 'string', writeOnly: true, default: 'dflt-secret' } } };
    expect(validateUserData({}, manifestWith(schema), 'nocloud').secrets).toEqual(['dflt-secret']);
  });

  it('E_CONFIG_INVALID lists every problem under /config and never the values, secret or not', () => {
    const shortSecret = 'pw-short1';
    const config = { port: 'not-a-port-value', db: { password: shortSecret }, mode: 'turbo-mode-value', extra: 'extra-value' };
    const err = thrown(() => validateUserData({ config }, manifestWith(NESTED), 'nocloud'));
    expect(err.code).toBe('E_CONFIG_INVALID');
    expect(err.message).toContain('"nocloud"');
    expect(err.problems).toEqual([
      { path: '/config/extra', message: 'unknown key; allowed keys: port, db, users, mode' },
      { path: '/config/port', message: 'must be an integer' },
      { path: '/config/db/password', message: 'must NOT have fewer than 12 characters' },
      { path: '/config/mode', message: 'must be one of "fast", "safe"' },
    ]);
    const outputs = [err.render(), JSON.stringify(err.toJSON()), err.message];
    for (const text of outputs) {
      for (const value of [shortSecret, 'not-a-port-value', 'turbo-mode-value', 'extra-value']) expect(text).not.toContain(value);
    }
  });

  it('reports a missing required key at its own path', () => {
    const err = thrown(() => validateUserData({ config: {} }, manifestWith(NESTED), 'fwcfg'));
    expect(err.problems).toEqual([{ path: '/config/db', message: 'is required' }]);
  });

  it('E_USERDATA_INVALID names the platform, the unknown key and the bad hostname without their values', () => {
    const err = thrown(() => validateUserData({ confg: { db_password: SECRET }, hostname: 'bad_host!name' }, example(), 'configdrive'));
    expect(err.code).toBe('E_USERDATA_INVALID');
    expect(err.message).toContain('"configdrive"');
    expect(err.problems.map((p) => p.path)).toEqual(['/confg', '/hostname']);
    expect(err.problems[0]?.message).toBe('unknown key; did you mean "config"?');
    expect(err.problems[1]?.message).toMatch(/^is not a host name/);
    const text = err.render() + JSON.stringify(err.toJSON());
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('bad_host!name');
  });

  it('refuses user data that is not an object, and unknown storage keys', () => {
    expect(userDataProblems([1, 2])).toEqual([{ path: '', message: 'must be an object' }]);
    expect(userDataProblems({ storage: { devise: '/dev/vdb' } })).toEqual([{ path: '/storage/devise', message: 'unknown key; did you mean "device"?' }]);
  });

  it('accepts any config object when the manifest declares no config schema', () => {
    expect(validateUserData({ config: { anything: [1] } }, manifestWith(undefined), 'file').config).toEqual({ anything: [1] });
  });

  it('reads a draft-07 config schema when its $schema says so', () => {
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { pair: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] } } };
    const err = thrown(() => validateUserData({ config: { pair: ['a', 'b'] } }, manifestWith(schema), 'file'));
    expect(err.problems).toEqual([{ path: '/config/pair/1', message: 'must be an integer' }]);
  });

  it('an uncompilable config schema is a manifest problem at /config/schema', () => {
    const err = thrown(() => validateUserData({}, manifestWith({ type: 'object', properties: { a: { type: 'strung' } } }), 'file'));
    expect(err.code).toBe('E_MANIFEST_INVALID');
    expect(err.problems[0]?.path).toBe('/config/schema');
  });

  it('resolves a $ref to the JSON Schema meta-schema (a config value that is itself a schema)', () => {
    const schema = { type: 'object', properties: { form: { $ref: 'https://json-schema.org/draft/2020-12/schema' } } };
    expect(validateUserData({ config: { form: { type: 'string' } } }, manifestWith(schema), 'file').config).toMatchObject({ form: { type: 'string' } });
    const err = thrown(() => validateUserData({ config: { form: { type: 12 } } }, manifestWith(schema), 'file'));
    expect(err.code).toBe('E_CONFIG_INVALID');
  });

  it('refuses a config schema whose $id is the one of a meta-schema', () => {
    const schema = { $id: 'https://json-schema.org/draft/2020-12/schema', type: 'object' };
    expect(thrown(() => validateUserData({}, manifestWith(schema), 'file')).code).toBe('E_MANIFEST_INVALID');
  });

  it('ignores formats instead of failing on one the agent has no checker for', () => {
    const schema = { type: 'object', properties: { mail: { type: 'string', format: 'email' } } };
    expect(validateUserData({ config: { mail: 'x' } }, manifestWith(schema), 'file').config).toEqual({ mail: 'x' });
  });
});

describe('redactConfig', () => {
  it('replaces every writeOnly value with <secret> and leaves the original alone', () => {
    const config = { port: 1, db: { host: 'h', password: SECRET }, users: [{ name: 'a', token: 't' }] };
    const redacted = redactConfig(config, NESTED);
    expect(redacted).toEqual({ port: 1, db: { host: 'h', password: '<secret>' }, users: [{ name: 'a', token: '<secret>' }] });
    expect(config.db.password).toBe(SECRET);
    expect(JSON.stringify(redacted)).not.toContain(SECRET);
  });

  it('replaces a writeOnly object as a whole', () => {
    const schema = { type: 'object', properties: { keys: { type: 'object', writeOnly: true, properties: { a: { writeOnly: true } } } } };
    expect(redactConfig({ keys: { a: 'x', b: 'y' }, open: 1 }, schema)).toEqual({ keys: '<secret>', open: 1 });
  });

  it('changes nothing without a schema', () => {
    expect(redactConfig({ a: 'b' }, undefined)).toEqual({ a: 'b' });
  });
});
