// The recorded template context: writeOnly values and echoed secrets never reach the file; undefined reads null; root-only.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentErrorOf } from '../../test-support';
import { FACTS, SECRET, fakeContext, fakeManifest } from '../templates/test-fixtures';
import { buildContext } from '../templates/context';
import { contextDoc, contextFile, readContext, recordContext } from './context-record';
import { fakeSystem, type FakeSystem } from './test-fixtures';

let system: FakeSystem | undefined;
afterEach(() => system?.cleanup());

describe('contextDoc', () => {
  it('replaces writeOnly config values with the secret mark and keeps the rest', () => {
    const doc = contextDoc(fakeContext(), [SECRET], 'run', new Date(0));
    expect(doc.config.db_password).toBe('<secret>');
    expect(doc.config.greeting).toBe('hi');
    expect(doc.meta['instance-id']).toBe('i-123');
    expect(JSON.stringify(doc)).not.toContain('hunter2');
  });

  it('scrubs a secret that metadata echoes, where no schema marks it', () => {
    const context = buildContext({ manifest: fakeManifest(), facts: FACTS, source: { platform: 'ec2', userData: null, meta: { note: `pw is ${SECRET}` } } });
    const doc = contextDoc(context, [SECRET], 'run', new Date(0));
    expect(JSON.stringify(doc)).not.toContain('hunter2');
    expect(doc.meta.note).toBe('pw is <secret>');
  });

  it('lists what templates see as undefined as null, so every key can be queried', () => {
    const doc = contextDoc(fakeContext(), [], 'run', new Date(0));
    expect(doc.env).toHaveProperty('region', null);
    expect(doc.config).toHaveProperty('port', null);
  });
});

describe('recordContext and readContext', () => {
  it('writes the record readable by root only, and reads it back', () => {
    system = fakeSystem();
    recordContext(system, fakeContext(), [SECRET], 'run');
    const file = contextFile(system.hostPaths.run);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('hunter2');
    expect(readContext(file).config.greeting).toBe('hi');
  });

  it('removes an earlier record when a run builds no context', () => {
    system = fakeSystem();
    recordContext(system, fakeContext(), [], 'run');
    recordContext(system, undefined, [], 'run');
    expect(existsSync(contextFile(system.hostPaths.run))).toBe(false);
  });

  it('says how to get a record when there is none, and refuses a file that is not one', () => {
    system = fakeSystem();
    const file = contextFile(system.hostPaths.run);
    const missing = agentErrorOf(() => readContext(file));
    expect(missing.message).toContain('no template context recorded this boot');
    expect(missing.fix).toContain('cloudlet-agent status');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{"version": 1, "env": {}}');
    expect(agentErrorOf(() => readContext(file)).code).toBe('E_REPORT_INVALID');
  });
});
