import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authFiles, findCredentials, pickAuth } from './credentials';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('pickAuth', () => {
  it('prefers the most specific namespace entry, then the host', () => {
    const doc = { auths: { 'reg.example.org': { auth: b64('host:h') }, 'reg.example.org/team': { auth: b64('team:t:with:colons') }, 'reg.example.org/teamx': { auth: b64('x:x') } } };
    expect(pickAuth(doc, 'reg.example.org', 'team/app')).toEqual({ username: 'team', password: 't:with:colons' });
    expect(pickAuth(doc, 'reg.example.org', 'other')).toEqual({ username: 'host', password: 'h' });
    expect(pickAuth(doc, 'reg.example.org', 'teamx')).toEqual({ username: 'x', password: 'x' });
  });

  it('reads docker-style keys with a scheme and path, and ignores other hosts and broken entries', () => {
    expect(pickAuth({ auths: { 'https://127.0.0.1:5000/v1/': { auth: b64('u:p') } } }, '127.0.0.1:5000', 'r')).toEqual({ username: 'u', password: 'p' });
    expect(pickAuth({ auths: { '127.0.0.1:5001': { auth: b64('u:p') } } }, '127.0.0.1:5000', 'r')).toBeUndefined();
    expect(pickAuth({ auths: { h: { auth: b64('nocolon') } } }, 'h', 'r')).toBeUndefined();
    expect(pickAuth({ auths: { h: 'x' } }, 'h', 'r')).toBeUndefined();
    expect(pickAuth(null, 'h', 'r')).toBeUndefined();
  });
});

describe('findCredentials', () => {
  it('takes the first file in order that names the host, passing over broken files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creds-'));
    const env = { REGISTRY_AUTH_FILE: join(dir, 'auth.json'), XDG_RUNTIME_DIR: join(dir, 'run'), HOME: join(dir, 'home') };
    writeFileSync(env.REGISTRY_AUTH_FILE, '{ broken');
    mkdirSync(join(dir, 'run', 'containers'), { recursive: true });
    writeFileSync(join(dir, 'run', 'containers', 'auth.json'), JSON.stringify({ auths: { other: { auth: b64('a:b') } } }));
    mkdirSync(join(dir, 'home', '.docker'), { recursive: true });
    writeFileSync(join(dir, 'home', '.docker', 'config.json'), JSON.stringify({ auths: { h: { auth: b64('d:e') } } }));
    expect(authFiles(env)).toHaveLength(4);
    expect(await findCredentials(env, 'h', 'r')).toEqual({ username: 'd', password: 'e', source: join(dir, 'home', '.docker', 'config.json') });
    expect(await findCredentials(env, 'nobody', 'r')).toBeUndefined();
  });
});
