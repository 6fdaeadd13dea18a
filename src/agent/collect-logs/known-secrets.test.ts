// The secrets collect-logs can know: writeOnly defaults of the manifest and writeOnly values of user data, valid or not.

import { describe, expect, it } from 'vitest';
import { fakeManifest } from '../templates/test-fixtures';
import { knownSecrets } from './known-secrets';

function manifestWithDefault() {
  const m = fakeManifest();
  const schema = m.config?.schema as { properties: Record<string, unknown> };
  schema.properties.api_token = { type: 'string', writeOnly: true, default: 'baked-token-8821' };
  return m;
}

describe('knownSecrets', () => {
  it("holds the manifest's writeOnly defaults", () => {
    expect(knownSecrets(manifestWithDefault(), [])).toEqual(['baked-token-8821']);
  });

  it('adds the writeOnly values of user data, even when the rest of it does not validate', () => {
    const secrets = knownSecrets(manifestWithDefault(), [{ config: { db_password: 'pw-from-user-data', port: 'not a number' } }]);
    expect(secrets).toContain('pw-from-user-data');
    expect(secrets).toContain('baked-token-8821');
  });

  it('holds nothing for a manifest without writeOnly values and user data without config', () => {
    expect(knownSecrets(fakeManifest(), [{ hostname: 'h' }])).toEqual([]);
  });
});
