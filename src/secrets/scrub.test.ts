// Secret scrubbing of text, errors and JSON; proves a fixture secret reaches no reporter output (files, console, events, socket).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentError } from '../errors';
import { createReporter } from '../agent/status/create-reporter';
import type { LiveEvent, StatusDoc } from '../agent/status/formats';
import type { LiveServer, LiveServerOptions } from '../agent/status/live';
import { createScrubber, holdsSecret, scrub, scrubError, SECRET_MARK } from './scrub';
import { fakeSystem, type FakeSystem } from '../agent/status/test-fixtures';

// Quotes and a backslash: the JSON-escaped spelling differs from the raw one, and both must go.
const SECRET = 'hunter2-"quoted"\\pw';
const ESCAPED = JSON.stringify(SECRET).slice(1, -1);

describe('scrub', () => {
  it('replaces every occurrence of a secret', () => {
    expect(scrub('a=pw1 b=pw1', ['pw1'])).toBe('a=<secret> b=<secret>');
  });

  it('hides a longer secret whole even when a shorter one is inside it', () => {
    expect(scrub('x=abcdef', ['abc', 'abcdef'])).toBe('x=<secret>');
  });

  it('hides the JSON-escaped form engines use in messages', () => {
    expect(scrub('Unexpected token in "a\\"b"', ['a"b'])).toBe('Unexpected token in "<secret>"');
  });

  it('hides each long line of a multi-line secret on its own', () => {
    const key = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END KEY-----';
    const shown = scrub('+MIIEvQIBADANBgkqhkiG9w0B\n', [key]);
    expect(shown).toBe('+<secret>\n');
    expect(holdsSecret(shown, [key])).toBe(false);
  });

  it('ignores empty secrets', () => {
    expect(scrub('text', [''])).toBe('text');
  });
});

describe('scrubError', () => {
  it('scrubs message, where, fix and problems, and keeps the code and cause', () => {
    const cause = new Error('inner');
    const error = new AgentError('E_CONFIG_INVALID', `bad ${SECRET}`, { where: `/x/${SECRET}`, fix: `not ${ESCAPED}`, problems: [{ path: `/${SECRET}`, message: SECRET }], cause });
    const clean = scrubError(error, [SECRET]);
    expect(JSON.stringify(clean.toJSON())).not.toContain('hunter2');
    expect(clean.render()).not.toContain('hunter2');
    expect(clean.message).toBe(`bad ${SECRET_MARK}`);
    expect(clean.code).toBe('E_CONFIG_INVALID');
    expect(clean.cause).toBe(cause);
  });

  it('returns the error itself when there is no secret', () => {
    const error = new AgentError('E_IO', 'x');
    expect(scrubError(error, [])).toBe(error);
  });
});

describe('createScrubber', () => {
  it('replaces every occurrence of every secret in text, longest first', () => {
    const s = createScrubber(() => ['abc', 'abcdef']);
    expect(s.text('x abcdef y abc z')).toBe(`x ${SECRET_MARK} y ${SECRET_MARK} z`);
  });

  it('replaces the JSON-escaped spelling of a secret in text', () => {
    const s = createScrubber(() => [SECRET]);
    expect(s.text(`body: {"pw":"${ESCAPED}"}`)).toBe(`body: {"pw":"${SECRET_MARK}"}`);
  });

  it('scrubs strings and keys deep in JSON values and leaves other types alone', () => {
    const s = createScrubber(() => ['true', SECRET]);
    const out = s.json({ a: [`x${SECRET}`], [SECRET]: 1, b: true, n: 5 });
    expect(out).toEqual({ a: [`x${SECRET_MARK}`], [SECRET_MARK]: 1, b: true, n: 5 });
    expect(() => JSON.parse(JSON.stringify(out))).not.toThrow();
  });

  it('asks for the secrets each time, since they are learnt during the run', () => {
    const list: string[] = [];
    const s = createScrubber(() => list);
    expect(s.text('pw=abc')).toBe('pw=abc');
    list.push('abc');
    expect(s.text('pw=abc')).toBe(`pw=${SECRET_MARK}`);
  });

  it('hides the lines of a multi-line secret in text and JSON alike', () => {
    const key = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END KEY-----';
    const s = createScrubber(() => [key]);
    expect(s.text('line MIIEvQIBADANBgkqhkiG9w0B')).toBe(`line ${SECRET_MARK}`);
    expect(s.json({ d: 'MIIEvQIBADANBgkqhkiG9w0B' })).toEqual({ d: SECRET_MARK });
  });

  it('ignores empty secrets instead of marking every gap', () => {
    expect(createScrubber(() => ['']).text('abc')).toBe('abc');
  });
});

describe('secrets never leave the reporter', () => {
  let sys: FakeSystem;
  afterEach(() => sys?.cleanup());

  it('keeps a fixture secret out of status.json, report.json, console, JSON events, kmsg and the socket', async () => {
    sys = fakeSystem();
    const secrets: string[] = [];
    const broadcast: LiveEvent[] = [];
    const snapshots: StatusDoc[] = [];
    let snapshot: (() => StatusDoc) | undefined;
    const fakeServer = (o: LiveServerOptions): Promise<LiveServer> => {
      snapshot = o.snapshot;
      return Promise.resolve({ broadcast: (e) => void broadcast.push(e), close: () => Promise.resolve() });
    };
    const textReporter = createReporter(sys, { mode: 'run', secrets: () => secrets, startServer: fakeServer, serveAfterMs: 0 });
    const jsonReporter = createReporter({ ...sys, hostPaths: { ...sys.hostPaths, run: sys.hostPaths.run + '2' } }, { mode: 'run', json: true, secrets: () => secrets, serve: false });
    for (const r of [textReporter, jsonReporter]) {
      await r.begin('run', `/img`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const t = sys.monotonicMs();
      r.stepStart('user-data', 'Reading user data', t);
      secrets.push(SECRET);
      r.info({ instanceId: `id-${SECRET}`, platform: SECRET, image: { name: SECRET } });
      r.item('user-data', { kind: 'platform', name: `p-${SECRET}`, outcome: 'ok', startMs: t, durationMs: 1, detail: `{"pw":"${ESCAPED}"}` });
      r.stepEnd('user-data', 'ok', `Read ${SECRET}`, t, 1);
      r.stepStart('templates', 'Rendering templates', t);
      r.stepEnd('templates', 'failed', `Rendering failed near ${SECRET}`, t, 1);
      await Promise.resolve();
      if (snapshot) snapshots.push(snapshot());
      await r.finish('error', new AgentError('E_TEMPLATE', `bad ${SECRET}`, { where: `/etc/${SECRET}`, fix: `not ${SECRET}`, problems: [{ path: SECRET, message: SECRET }] }));
    }
    const files = [sys.hostPaths.run, sys.hostPaths.run + '2'].flatMap((run) =>
      readdirSync(join(run, 'cloudlet')).map((f) => readFileSync(join(run, 'cloudlet', f), 'utf8')),
    );
    expect(files).toHaveLength(4);
    const outputs = [...files, ...sys.errLines, ...sys.outLines, JSON.stringify(broadcast), JSON.stringify(snapshots)];
    expect(broadcast.length).toBeGreaterThan(3);
    expect(snapshots.length).toBeGreaterThan(0);
    for (const text of outputs) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(ESCAPED);
      expect(text).not.toContain('hunter2');
    }
    // The scrubbed places still say something: the secret became the mark, not nothing.
    expect(files.join('')).toContain(SECRET_MARK);
  });
});
