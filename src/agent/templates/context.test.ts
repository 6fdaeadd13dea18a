// buildContext: env from facts and platform, declared config keys, deep freezing.

import { describe, expect, it } from 'vitest';
import { buildContext } from './context';
import { FACTS, fakeManifest, SOURCE, USER_DATA } from './test-fixtures';

describe('buildContext', () => {
  it('fills env from facts and the platform', () => {
    const { env } = buildContext({ manifest: fakeManifest(), facts: FACTS, userData: USER_DATA, source: { ...SOURCE, region: 'eu-1', localIpv4: '10.0.0.5' }, firstBoot: true });
    expect(env).toEqual({
      arch: 'x86_64',
      kernel: '6.1.0-13-amd64',
      hostname: 'meta-host',
      cpus: 2,
      memory: 2 * 1024 ** 3,
      platform: 'nocloud',
      instanceId: 'i-123',
      region: 'eu-1',
      localIpv4: '10.0.0.5',
      firstBoot: true,
      sshKeys: [],
    });
  });

  it('takes the hostname from user data first, then the platform, then the machine', () => {
    const manifest = fakeManifest();
    expect(buildContext({ manifest, facts: FACTS, userData: { ...USER_DATA, hostname: 'ud-host' }, source: SOURCE }).env.hostname).toBe('ud-host');
    expect(buildContext({ manifest, facts: FACTS, userData: USER_DATA, source: SOURCE }).env.hostname).toBe('meta-host');
    expect(buildContext({ manifest, facts: FACTS }).env.hostname).toBe('facts-host');
  });

  it('keeps every env key present even when unknown, and names the platform "none" without one', () => {
    const { env } = buildContext({ manifest: fakeManifest(), facts: FACTS });
    expect(Object.keys(env)).toContain('region');
    expect(env.region).toBeUndefined();
    expect(env.platform).toBe('none');
  });

  it('declares config keys of the schema that the user left unset, as undefined, including nested ones', () => {
    const { config } = buildContext({ manifest: fakeManifest(), facts: FACTS, userData: { config: { db: {} }, secrets: [] } });
    expect(Object.keys(config).sort()).toEqual(['db', 'db_password', 'greeting', 'port']);
    expect(Object.keys(config.db as object).sort()).toEqual(['host', 'replicas']);
  });

  it('freezes the whole context deeply and does not share objects with the state', () => {
    const ctx = buildContext({ manifest: fakeManifest(), facts: FACTS, userData: USER_DATA, source: SOURCE });
    expect(Object.isFrozen(ctx)).toBe(true);
    expect(Object.isFrozen(ctx.config.db)).toBe(true);
    expect(Object.isFrozen(ctx.meta)).toBe(true);
    expect(Object.isFrozen(ctx.manifest.templates)).toBe(true);
    expect(Object.isFrozen(USER_DATA.config)).toBe(false);
    expect(ctx.config.db).not.toBe(USER_DATA.config.db);
  });
});
