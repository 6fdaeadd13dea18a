// Secret scrubbing of text, errors and JSON; proves a fixture secret reaches no reporter output (files, console, events, socket).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentError } from '../errors';
import { createReporter } from '../agent/status/create-reporter';
import type { LiveEvent, StatusDoc } from '../agent/status/formats';
import type { LiveServer, LiveServerOptions } from '../agent/status/live';
import { createScrubber, holdsSecret, scrub, scrubError, mayHoldSecret, SECRET_MARK } from './scrub';
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

// Characters every escaping changes, between letters and digits that none does.
const MIXED = `Zq9&Wx<7>"Kp'mVb3`;
/** No trace of MIXED: its first and last letters survive every escaping that keeps text readable. */
const tracesOfMixed = (text: string) => ['Zq9', 'mVb3'].filter((t) => text.includes(t));

describe('scrub: spellings of a secret', () => {
  it('hides a secret HTML-escaped as EJS <%= %> writes it', () => {
    const shown = scrub('+password=Zq9&amp;Wx&lt;7&gt;&#34;Kp&#39;mVb3\n', [MIXED]);
    expect(shown).toBe(`+password=${SECRET_MARK}\n`);
  });

  it('hides the other usual HTML and XML escapings of quotes', () => {
    for (const text of ['Zq9&amp;Wx&lt;7&gt;&quot;Kp&#39;mVb3', 'Zq9&amp;Wx&lt;7&gt;&quot;Kp&apos;mVb3', 'Zq9&amp;Wx&lt;7&gt;&#x22;Kp&#x27;mVb3', `Zq9&amp;Wx&lt;7&gt;"Kp'mVb3`]) {
      expect(tracesOfMixed(scrub(`<v>${text}</v>`, [MIXED]))).toEqual([]);
    }
  });

  it('hides a secret in JSON inside HTML (<%= JSON.stringify(value) %>) and in a single-quoted literal', () => {
    expect(tracesOfMixed(scrub('"Zq9&amp;Wx&lt;7&gt;\\&#34;Kp&#39;mVb3"', [MIXED]))).toEqual([]);
    expect(tracesOfMixed(scrub(`'Zq9&Wx<7>"Kp\\'mVb3'`, [MIXED]))).toEqual([]);
  });

  it('hides a secret URL-encoded, as a component, as a form value and in lower-case hex', () => {
    const secret = 'p@ss word/7&x';
    for (const text of [encodeURIComponent(secret), new URLSearchParams({ pw: secret }).toString(), 'p%40ss%20word%2f7%26x']) {
      expect(scrub(`https://h/?${text}`, [secret])).not.toMatch(/ss(%20|\+)word/);
    }
  });

  it('hides a secret in base64 and base64url, also inside a longer encoded text at any alignment', () => {
    const secret = 'Zq9?Wx>7>Kp~mVb3';
    for (const prefix of ['', 'u:', 'us:', 'use:']) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = Buffer.from(`${prefix}${secret}\n`).toString(encoding);
        const shown = scrub(`Authorization: Basic ${encoded}`, [secret]);
        expect(shown, `${encoding} after "${prefix}"`).toContain(SECRET_MARK);
        // What is left of the encoded text is too short to hold the secret.
        expect(shown.replace('Authorization: Basic ', '').split(SECRET_MARK).join('').length).toBeLessThan(12);
      }
    }
  });

  it('hides a secret in hex', () => {
    const secret = 'correct-horse';
    expect(scrub(`key=${Buffer.from(secret).toString('hex')}`, [secret])).toBe(`key=${SECRET_MARK}`);
    expect(scrub(`key=${Buffer.from(secret).toString('hex').toUpperCase()}`, [secret])).toBe(`key=${SECRET_MARK}`);
  });

  it('hides a secret with non-ASCII characters written as \\u escapes', () => {
    const secret = 'pässwört-✓';
    expect(scrub(`{"pw":"${'p\\u00e4ssw\\u00f6rt-\\u2713'}"}`, [secret])).toBe(`{"pw":"${SECRET_MARK}"}`);
  });
});

describe('scrub: values an engine cut short', () => {
  const SECRET_PHRASE = 'correct-horse-battery-staple';

  it("hides the start of a secret that V8's JSON.parse quotes", () => {
    let message = '';
    try {
      JSON.parse(SECRET_PHRASE);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('correct-ho');
    const shown = scrub(message, [SECRET_PHRASE]);
    expect(shown).not.toContain('correct');
    expect(shown).toContain(SECRET_MARK);
  });

  it('hides a middle or an end of a secret that touches a quote mark', () => {
    expect(scrub('Unexpected token, ..."12, 13, correct-ho"... is not valid', [SECRET_PHRASE])).toBe(`Unexpected token, ..."12, 13, ${SECRET_MARK}"... is not valid`);
    expect(scrub("near 'ery-staple' here", [SECRET_PHRASE])).toBe(`near '${SECRET_MARK}' here`);
    expect(scrub('`rse-batter`', [SECRET_PHRASE])).toBe(`\`${SECRET_MARK}\``);
  });

  it('leaves quoted runs shorter than 6 characters and unquoted words alone', () => {
    expect(scrub('"horse" and "staple" were correct', [SECRET_PHRASE])).toBe('"horse" and "<secret>" were correct');
    expect(scrub('a correct battery', [SECRET_PHRASE])).toBe('a correct battery');
  });
});

describe('scrub: large and repetitive secrets', () => {
  it('hides a secret that repeats itself, in a text that repeats it further, as one mark', () => {
    expect(scrub(`x=${'ab'.repeat(3000)}.`, ['ab'.repeat(1000)])).toBe(`x=${SECRET_MARK}.`);
  });

  it('hides a secret too large to index in every spelling (128 KiB) as text, and takes any engine message to hold a part of it', () => {
    const huge = Array.from({ length: 4096 }, (_, i) => `line-${i}-${'q'.repeat(26)}`).join('');
    expect(huge.length).toBeGreaterThan(128 * 1024);
    expect(scrub(`v="${huge}"`, [huge])).toBe(`v="${SECRET_MARK}"`);
    expect(scrub(`v=${JSON.stringify(huge)}`, [huge])).toBe(`v="${SECRET_MARK}"`);
    expect(mayHoldSecret('Unexpected end of JSON input', [huge])).toBe(true);
    expect(mayHoldSecret('Unexpected end of JSON input', ['correct-horse'])).toBe(false);
  });
});

describe('scrub: short secrets', () => {
  it('hides a 1 to 3 character secret only where it stands alone, so outputs keep their words and numbers', () => {
    expect(scrub('pin=7, took 17 ms, 0.7 s, x7 "7"', ['7'])).toBe(`pin=${SECRET_MARK}, took 17 ms, 0.7 s, x7 "${SECRET_MARK}"`);
    expect(scrub('a template sees config', ['a'])).toBe(`${SECRET_MARK} template sees config`);
    expect(scrub('Rendered 2 templates (1 changed)', ['ab'])).toBe('Rendered 2 templates (1 changed)');
  });

  it('hides a short secret in its escaped spellings where they stand alone', () => {
    expect(scrub('v=&lt;&amp; w=x&lt;&amp;', ['<&'])).toBe(`v=${SECRET_MARK} w=x&lt;&amp;`);
  });

  it('leaves object keys that equal a short secret alone, so documents keep their shape', () => {
    expect(createScrubber(() => ['ok']).json({ ok: 'ok', note: 'all ok' })).toEqual({ ok: SECRET_MARK, note: `all ${SECRET_MARK}` });
  });
});

describe('mayHoldSecret', () => {
  it('says yes for a message that quotes a secret whole, since an engine may also name a part of it', () => {
    expect(mayHoldSecret(`Unexpected token 'h', "${SECRET}" is not valid JSON`, [SECRET])).toBe(true);
  });

  it('says yes for a message that quotes a part of a secret, cut or changed', () => {
    expect(mayHoldSecret(`Unexpected token 'c', "correct-ho"... is not valid JSON`, ['correct-horse-battery-staple'])).toBe(true);
    expect(mayHoldSecret('Cannot convert CORRECT-horse to a BigInt', ['correct-horse-battery-staple'])).toBe(true);
  });

  it('says yes for a short secret anywhere, even inside a word, and no for a message that shares nothing', () => {
    expect(mayHoldSecret('Unexpected token in table', ['ab'])).toBe(true);
    expect(mayHoldSecret("Cannot read properties of undefined (reading 'port')", ['correct-horse-battery-staple', 'ab'])).toBe(false);
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
  afterEach(() => {
    vi.useRealTimers();
    sys?.cleanup();
  });

  it('keeps a fixture secret out of status.json, report.json, console, JSON events, kmsg and the socket', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
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
      // The text reporter's socket starts on its timer (after 0 ms): fire it, so the socket sees the run.
      await vi.advanceTimersByTimeAsync(0);
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
