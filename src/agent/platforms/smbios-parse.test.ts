// Proves SMBIOS type 11 structures are split into strings and credentials are picked out of them.

import { describe, expect, it } from 'vitest';
import { credentialFrom, smbiosStrings } from './smbios-parse';
import { smbiosType11 as type11 } from './test-support';

describe('smbiosStrings', () => {
  it('reads the strings after the formatted area', () => {
    expect(smbiosStrings(type11(['a=1', 'io.systemd.credential:x=y']))).toEqual(['a=1', 'io.systemd.credential:x=y']);
  });

  it('reads a structure without strings', () => {
    expect(smbiosStrings(Buffer.from([11, 5, 0, 0, 0, 0, 0]))).toEqual([]);
  });

  it('refuses a structure whose length does not fit or whose string is not terminated', () => {
    expect(() => smbiosStrings(Buffer.from([11, 40, 0, 0]))).toThrow(/malformed/);
    expect(() => smbiosStrings(Buffer.concat([Buffer.from([11, 5, 0, 0, 1]), Buffer.from('abc')]))).toThrow(/not terminated/);
  });
});

describe('credentialFrom', () => {
  it('takes a text credential and a base64 binary one; the last wins', () => {
    const text = ['io.systemd.credential:cloudlet.user-data={"config":{"a":1}}'];
    expect(credentialFrom(text, 'cloudlet.user-data')?.toString()).toBe('{"config":{"a":1}}');
    const bin = [...text, `io.systemd.credential.binary:cloudlet.user-data=${Buffer.from('{"b":2}').toString('base64')}`];
    expect(credentialFrom(bin, 'cloudlet.user-data')?.toString()).toBe('{"b":2}');
  });

  it('ignores other credentials and returns null when there is none', () => {
    expect(credentialFrom(['io.systemd.credential:other=1', 'cloudlet.user-data=x'], 'cloudlet.user-data')).toBeNull();
  });

  it('refuses a binary credential that is not base64', () => {
    expect(() => credentialFrom(['io.systemd.credential.binary:cloudlet.user-data=%%%'], 'cloudlet.user-data')).toThrow(
      expect.objectContaining({ code: 'E_USERDATA_INVALID' }),
    );
  });
});
