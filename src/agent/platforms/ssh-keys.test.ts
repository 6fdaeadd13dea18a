// SSH key lines from platforms: checked as sshd reads them, bounded, bad ones skipped with where and why.

import { describe, expect, it } from 'vitest';
import { MAX_SSH_KEYS, normalizeSshKeys, type RawSshKey } from './ssh-keys';
import { azureKeys, gceKeys, keysFromValue, openstackKeys } from './ssh-key-sources';
import { nocloudResult } from './nocloud';

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILApc1ukAdaLxgjAyXtDJ8SZHs5S5l5kuzIvuzulIhhV alice@laptop';
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDIne70YaEXujgx5uwNTHx56HtNdNzcaqLLD5HzOc+hLQBbBAnVGUwEVC0JeJKCToCsvdXL6JUwINAqOYeELTD+bGgqAOiBYyK651LYm02Witk9UkswRBvxI7tp3GB7nAT3hvhmpGpwi7WroCcheMBvkyMKFl21irGi5m8ROo0MrHgWs8M/85SGUPc6Hd8Mr3wiaQUGFitp4byEd71WQtYeOgp/DSFWfE7LOg8veWQDf+ZY+12nwP7NrJSrdfPdlROVq2uIQOEBY/JMpCR3fOcSxRLD6eWANi3IWgJs7M7g+o/p1/bd30GBS2jZ8rX4dlyaR50wp6qftZ95aC9yBCnh bob';
const ECDSA = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGtYO9Eh7qO6yaJVpeqPDvorV6y8QURlyVZDYS05twHx0Kk/c0AP9q8b28rwRbkBd8Jk3vqXFwiGdDqgMbszh2U=';
const NOW = new Date('2026-01-01T00:00:00Z');
const raw = (line: string, where = 'here'): RawSshKey => ({ line, where });

describe('normalizeSshKeys', () => {
  it('splits each key into type, key, comment and keeps the line', () => {
    const { keys, skipped } = normalizeSshKeys([raw(ED25519), raw(RSA), raw(ECDSA)], NOW);
    expect(skipped).toEqual([]);
    expect(keys.map((k) => [k.type, k.comment])).toEqual([['ssh-ed25519', 'alice@laptop'], ['ssh-rsa', 'bob'], ['ecdsa-sha2-nistp256', '']]);
    expect(keys[0]).toEqual({ type: 'ssh-ed25519', key: ED25519.split(' ')[1], comment: 'alice@laptop', line: ED25519 });
  });

  it('skips lines that are not keys, with where and why, and keeps the good ones', () => {
    const [type, key] = RSA.split(' ') as [string, string];
    const { keys, skipped } = normalizeSshKeys(
      [
        raw('command="/bin/sh" ' + ED25519, 'a'),
        raw('ssh-rsa not-base64!', 'b'),
        raw(`ssh-ed25519 ${key}`, 'c'),
        raw(`${type} ${key} evil\u001b[2J`, 'd'),
        raw('x'.repeat(20000), 'e'),
        raw(ECDSA, 'f'),
      ],
      NOW,
    );
    expect(keys.map((k) => k.type)).toEqual(['ecdsa-sha2-nistp256']);
    expect(skipped).toEqual([
      'a: "command="/bin/sh"" is not an SSH public key type (authorized_keys options are not taken from metadata)',
      'b: the key is not base64',
      "c: the key's data is not a ssh-ed25519 key",
      'd: holds control characters',
      'e: longer than 16384 characters',
    ]);
  });

  it('takes at most MAX_SSH_KEYS keys and says how many lines it left', () => {
    const [type, key] = ED25519.split(' ') as [string, string];
    const many = Array.from({ length: MAX_SSH_KEYS + 5 }, (_, i) => ({ line: `${type} ${key} k${i}`, user: `u${i}`, where: String(i) }));
    const { keys, skipped } = normalizeSshKeys(many, NOW);
    expect(keys).toHaveLength(MAX_SSH_KEYS);
    expect(skipped).toEqual([`5 more key lines skipped: at most ${MAX_SSH_KEYS} keys are taken`]);
  });

  it('drops a key given twice for the same user (OpenStack lists it in keys and public_keys)', () => {
    expect(normalizeSshKeys([raw(ED25519), raw(ED25519 + ' '), raw(RSA)], NOW).keys).toHaveLength(2);
  });

  it('skips a GCE key whose expireOn has passed, keeps one still valid', () => {
    const [type, key] = ED25519.split(' ') as [string, string];
    const line = (at: string) => `${type} ${key} google-ssh {"userName":"ann@example.com","expireOn":"${at}"}`;
    const { keys, skipped } = normalizeSshKeys([{ line: line('2025-06-01T00:00:00+0000'), user: 'ann', where: 'old' }, { line: line('2027-01-01T00:00:00Z'), user: 'ann2', where: 'new' }], NOW);
    expect(keys.map((k) => k.user)).toEqual(['ann2']);
    expect(skipped).toEqual(['old: expired on 2025-06-01T00:00:00+0000']);
  });

  it('caps the list of warnings', () => {
    const { skipped } = normalizeSshKeys(Array.from({ length: 30 }, (_, i) => raw('junk', String(i))), NOW);
    expect(skipped).toHaveLength(11);
    expect(skipped[10]).toBe('20 more lines skipped');
  });
});

describe('where platforms keep keys', () => {
  it('NoCloud public-keys: a list, a block of lines or a mapping', () => {
    expect(keysFromValue([ED25519, RSA], 'pk').map((r) => r.where)).toEqual(['pk[0] line 1', 'pk[1] line 1']);
    expect(keysFromValue(`${ED25519}\n# a comment\n\n${RSA}\n`, 'pk').map((r) => r.line)).toEqual([ED25519, RSA]);
    expect(keysFromValue({ laptop: ED25519 }, 'pk')).toEqual([{ line: ED25519, where: 'pk.laptop line 1' }]);
    expect(keysFromValue(undefined, 'pk')).toEqual([]);
  });

  it('OpenStack keys (type ssh) and public_keys; x509 entries are not SSH keys', () => {
    const lines = openstackKeys({ keys: [{ name: 'a', type: 'ssh', data: ED25519 }, { name: 'c', type: 'x509', data: '-----BEGIN' }], public_keys: { a: ED25519, b: RSA } });
    expect(lines.map((r) => r.line)).toEqual([ED25519, ED25519, RSA]);
  });

  it('GCE ssh-keys: "user:key" lines give the user', () => {
    expect(gceKeys(`ann:${ED25519}\nbob:${RSA}`, 'instance ssh-keys')).toEqual([
      { line: ED25519, user: 'ann', where: 'instance ssh-keys line 1' },
      { line: RSA, user: 'bob', where: 'instance ssh-keys line 2' },
    ]);
  });

  it('Azure compute.publicKeys: the user from the key path', () => {
    expect(azureKeys({ compute: { publicKeys: [{ keyData: ED25519, path: '/home/azureuser/.ssh/authorized_keys' }] } })).toEqual([
      { line: ED25519, user: 'azureuser', where: 'compute.publicKeys[0] line 1' },
    ]);
  });
});

describe('NoCloud meta-data', () => {
  it('public-keys become the result\'s key lines', () => {
    const r = nocloudResult(null, `instance-id: i-1\npublic-keys:\n  - ${ED25519}\n  - ${RSA}\n`, '/dev/vdb');
    expect(r.sshKeys?.map((k) => k.line)).toEqual([ED25519, RSA]);
    expect(normalizeSshKeys(r.sshKeys ?? [], NOW).keys).toHaveLength(2);
  });
});
