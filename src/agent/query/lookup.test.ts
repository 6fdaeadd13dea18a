// Dotted keys into a recorded context: values found at any depth, unknown keys named with their nearest neighbours.

import { describe, expect, it } from 'vitest';
import { agentErrorOf } from '../../test-support';
import { lookup } from './lookup';

const CONTEXT = {
  env: { arch: 'x86_64', instanceId: null, firstBoot: true },
  meta: { 'instance-id': 'i-123', keys: ['ssh-ed25519 AAAA one', 'ssh-rsa BBBB two'] },
  config: { db: { user: 'app', host: 'db.local', password: '<secret>' }, port: 8080 },
};

describe('lookup', () => {
  it('finds values at any depth, nulls and array items included', () => {
    expect(lookup(CONTEXT, 'env.arch')).toBe('x86_64');
    expect(lookup(CONTEXT, 'env.instanceId')).toBeNull();
    expect(lookup(CONTEXT, 'config.db')).toEqual(CONTEXT.config.db);
    expect(lookup(CONTEXT, 'meta.instance-id')).toBe('i-123');
    expect(lookup(CONTEXT, 'meta.keys.1')).toBe('ssh-rsa BBBB two');
  });

  it('names the deepest known part, suggests the nearest key first and lists the others', () => {
    const err = agentErrorOf(() => lookup(CONTEXT, 'config.db.usr'));
    expect(err.code).toBe('E_USAGE');
    expect(err.message).toBe('unknown key "config.db.usr": config.db has no "usr"; did you mean "config.db.user"?');
    expect(err.fix).toBe('keys of config.db: config.db.user, config.db.host, config.db.password');
  });

  it('lists the top-level keys for an unknown first part', () => {
    const err = agentErrorOf(() => lookup(CONTEXT, 'confg.port'));
    expect(err.message).toContain('did you mean "config"?');
    expect(err.fix).toBe('keys of the context: config, env, meta');
  });

  it('refuses to look inside a value that has no keys, without printing the value', () => {
    const err = agentErrorOf(() => lookup(CONTEXT, 'config.db.password.x'));
    expect(err.message).toBe('unknown key "config.db.password.x": config.db.password is a string, it has no keys');
    expect(err.message).not.toContain('<secret>');
  });

  it('refuses empty parts', () => {
    expect(agentErrorOf(() => lookup(CONTEXT, 'config..db')).code).toBe('E_USAGE');
    expect(agentErrorOf(() => lookup(CONTEXT, '.env')).code).toBe('E_USAGE');
  });
});
