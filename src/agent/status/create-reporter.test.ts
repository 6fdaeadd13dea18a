// Proves what the reporter writes (status.json, report.json), prints (console, JSON lines, kmsg) and when it serves the socket.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentError } from '../../errors';
import { createReporter, type ReporterOptions } from './create-reporter';
import type { LiveEvent, ReportDoc, StatusDoc } from './formats';
import type { LiveServer } from './live';
import { fakeSystem, type FakeSystem } from './test-fixtures';

let sys: FakeSystem;
afterEach(() => sys?.cleanup());

const read = <T>(file: string): T => JSON.parse(readFileSync(join(sys.hostPaths.run, 'cloudlet', file), 'utf8')) as T;

function reporter(extra: Partial<ReporterOptions> = {}) {
  return createReporter(sys, { mode: 'run', secrets: () => [], serve: false, ...extra });
}

/** A run of three steps as the pipeline reports it, the clock moving as the steps take time. */
async function typicalRun(r: ReturnType<typeof reporter>) {
  await r.begin('run', '/image');
  let t = sys.monotonicMs();
  r.stepStart('manifest', 'Loading manifest', t);
  sys.advance(2);
  r.info({ image: { name: 'hello', version: '1.2.0' }, manifestHash: 'sha256:abc' });
  r.stepEnd('manifest', 'ok', 'Loaded manifest hello 1.2.0', t, 2);
  t = sys.monotonicMs();
  r.stepStart('user-data', 'Reading user data', t);
  r.item('user-data', { kind: 'platform', name: 'nocloud', outcome: 'ok', startMs: t, durationMs: 30 });
  sys.advance(30);
  r.info({ platform: 'nocloud', instanceId: 'i-1', firstBoot: true, instanceChanged: false });
  r.stepEnd('user-data', 'ok', 'Read user data from nocloud', t, 30);
  t = sys.monotonicMs();
  r.stepStart('templates', 'Rendering templates', t);
  r.item('templates', { kind: 'template', name: '/etc/motd', outcome: 'changed', startMs: t + 1, durationMs: 3 });
  r.item('templates', { kind: 'template', name: '/etc/app.conf', outcome: 'unchanged', startMs: t + 4, durationMs: 4 });
  sys.advance(8);
  r.stepEnd('templates', 'ok', 'Rendered 2 templates', t, 8);
}

describe('createReporter progress while a step waits', () => {
  afterEach(() => vi.useRealTimers());

  it('tells every second which platform is waited on and for how long: console, status.json, then nothing once it answered', async () => {
    vi.useFakeTimers();
    sys = fakeSystem();
    const r = reporter();
    await r.begin('run', '/');
    const t = sys.monotonicMs();
    r.stepStart('user-data', 'User data', t);
    r.item('user-data', { kind: 'platform', name: 'nocloud', outcome: 'absent', startMs: t, durationMs: 1 });
    r.waiting?.('user-data', { name: 'ec2', startMs: t + 1, limitMs: 5000 });
    for (let i = 0; i < 3; i++) {
      sys.advance(1000);
      vi.advanceTimersByTime(1000);
    }
    expect(sys.errLines).toEqual(['[ WAIT ] User data: ec2 (1 s of 5 s)', '[ WAIT ] User data: ec2 (2 s of 5 s)', '[ WAIT ] User data: ec2 (3 s of 5 s)']);
    expect(read<StatusDoc>('status.json').waiting).toEqual({ step: 'user-data', name: 'ec2', elapsedMs: 2999, limitMs: 5000 });
    r.item('user-data', { kind: 'platform', name: 'ec2', outcome: 'ok', startMs: t + 1, durationMs: 3100 });
    expect(read<StatusDoc>('status.json').waiting).toBeUndefined();
    sys.advance(5000);
    vi.advanceTimersByTime(5000);
    expect(sys.errLines).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('prints nothing for a wait shorter than a second, and stops telling when the run ends', async () => {
    vi.useFakeTimers();
    sys = fakeSystem();
    const r = reporter();
    await r.begin('run', '/');
    const t = sys.monotonicMs();
    r.stepStart('user-data', 'User data', t);
    r.waiting?.('user-data', { name: 'gce', startMs: t, limitMs: 5000 });
    sys.advance(400);
    r.item('user-data', { kind: 'platform', name: 'gce', outcome: 'absent', startMs: t, durationMs: 400 });
    r.waiting?.('user-data', { name: 'azure', startMs: t + 400, limitMs: 5000 });
    await r.finish('error', new AgentError('E_PLATFORM', 'x'));
    vi.advanceTimersByTime(10_000);
    expect(sys.errLines.filter((l) => l.startsWith('[ WAIT ]'))).toEqual([]);
  });
});

describe('createReporter status files', () => {
  it('writes status.json as running at begin, before any step', async () => {
    sys = fakeSystem();
    await reporter().begin('run', '/image');
    const status = read<StatusDoc>('status.json');
    expect(status).toMatchObject({ version: 1, state: 'running', mode: 'run', root: '/image', startedAt: '2025-01-02T03:04:05.000Z', steps: [] });
    expect(status.finishedAt).toBeUndefined();
    expect(existsSync(join(sys.hostPaths.run, 'cloudlet', 'report.json'))).toBe(false);
  });

  it('records progress in status.json as each step starts: current step and the steps before it', async () => {
    sys = fakeSystem();
    const r = reporter();
    await r.begin('run', '/');
    const t = sys.monotonicMs();
    r.stepStart('manifest', 'Loading manifest', t);
    r.stepEnd('manifest', 'ok', 'Loaded manifest', t, 2);
    r.stepStart('user-data', 'Reading user data', t + 2);
    const status = read<StatusDoc>('status.json');
    expect(status.state).toBe('running');
    expect(status.currentStep).toBe('user-data');
    expect(status.steps).toEqual([
      { name: 'manifest', title: 'Loading manifest', outcome: 'ok', summary: 'Loaded manifest', durationMs: 2 },
      { name: 'user-data', title: 'Reading user data' },
    ]);
  });

  it('records the finished run in status.json with info, timings and no temp files left', async () => {
    sys = fakeSystem();
    const r = reporter();
    await typicalRun(r);
    sys.advance(1);
    await r.finish('done');
    const status = read<StatusDoc>('status.json');
    expect(status).toMatchObject({
      version: 1,
      state: 'done',
      platform: 'nocloud',
      instanceId: 'i-1',
      firstBoot: true,
      instanceChanged: false,
      image: { name: 'hello', version: '1.2.0' },
      manifestHash: 'sha256:abc',
      startedAt: '2025-01-02T03:04:05.000Z',
      finishedAt: '2025-01-02T03:04:05.041Z',
      durationMs: 41,
    });
    expect(status.steps.map((s) => [s.name, s.outcome, s.durationMs])).toEqual([
      ['manifest', 'ok', 2],
      ['user-data', 'ok', 30],
      ['templates', 'ok', 8],
    ]);
    expect(status.error).toBeUndefined();
    expect(readdirSync(join(sys.hostPaths.run, 'cloudlet')).sort()).toEqual(['report.json', 'status.json']);
  });

  it('writes report.json with step starts relative to the run start and nested items', async () => {
    sys = fakeSystem();
    const r = reporter();
    await typicalRun(r);
    await r.finish('done');
    const report = read<ReportDoc>('report.json');
    expect(report.version).toBe(1);
    expect(report.steps.map((s) => [s.name, s.startMs, s.durationMs, s.outcome, s.summary])).toEqual([
      ['manifest', 0, 2, 'ok', 'Loaded manifest hello 1.2.0'],
      ['user-data', 2, 30, 'ok', 'Read user data from nocloud'],
      ['templates', 32, 8, 'ok', 'Rendered 2 templates'],
    ]);
    expect(report.steps[2]?.items).toEqual([
      { kind: 'template', name: '/etc/motd', outcome: 'changed', startMs: 33, durationMs: 3 },
      { kind: 'template', name: '/etc/app.conf', outcome: 'unchanged', startMs: 36, durationMs: 4 },
    ]);
  });

  it('records an error with code, message, where, fix and the failing step', async () => {
    sys = fakeSystem();
    const r = reporter();
    await r.begin('run', '/');
    const t = sys.monotonicMs();
    r.stepStart('requirements', 'Checking requirements', t);
    const error = new AgentError('E_REQUIREMENTS_UNMET', 'kernel >=6.1 not met (detected 5.10.0)', { where: 'entrypoints.init.requires', fix: 'boot a newer kernel' });
    r.stepEnd('requirements', 'failed', `Checked requirements: ${error.message}`, t, 1);
    await r.finish('error', error);
    const status = read<StatusDoc>('status.json');
    expect(status.state).toBe('error');
    expect(status.error).toEqual({
      code: 'E_REQUIREMENTS_UNMET',
      message: 'kernel >=6.1 not met (detected 5.10.0)',
      where: 'entrypoints.init.requires',
      fix: 'boot a newer kernel',
      step: 'requirements',
    });
    expect(read<ReportDoc>('report.json').error?.code).toBe('E_REQUIREMENTS_UNMET');
  });

  it('writes nothing at all in a dry run', async () => {
    sys = fakeSystem();
    const r = reporter({ dryRun: true });
    await typicalRun(r);
    await r.finish('done');
    expect(existsSync(join(sys.hostPaths.run, 'cloudlet'))).toBe(false);
  });

  it('keeps going, and says so once, when the run directory cannot be written', async () => {
    sys = fakeSystem();
    mkdirSync(sys.hostPaths.run, { recursive: true });
    writeFileSync(join(sys.hostPaths.run, 'cloudlet'), 'a file where the directory should be');
    const r = reporter();
    await typicalRun(r);
    await r.finish('done');
    expect(sys.errLines.filter((l) => l.includes('cannot write'))).toHaveLength(1);
  });
});

describe('createReporter console', () => {
  it('prints one boot-console line per finished step and a closing line', async () => {
    sys = fakeSystem();
    const r = reporter();
    await typicalRun(r);
    r.stepStart('mounts', 'Mounting', sys.monotonicMs());
    r.stepEnd('mounts', 'skipped', 'No mounts in this mode', sys.monotonicMs(), 0);
    await r.finish('done');
    expect(sys.errLines).toEqual([
      '[  OK  ] Loaded manifest hello 1.2.0 (2 ms)',
      '[  OK  ] Read user data from nocloud (30 ms)',
      '[  OK  ] Rendered 2 templates (8 ms)',
      '[ SKIP ] No mounts in this mode',
      '[  OK  ] Finished cloudlet-agent (40 ms)',
    ]);
    expect(sys.outLines).toEqual([]);
  });

  it('prints failures with their reason, and with --quiet only those', async () => {
    sys = fakeSystem();
    const r = reporter({ quiet: true });
    await typicalRun(r);
    const t = sys.monotonicMs();
    r.stepStart('requirements', 'Checking requirements', t);
    r.stepEnd('requirements', 'failed', 'Checked requirements: kernel >=6.1 not met (detected 5.10.0)', t, 1);
    await r.finish('error', new AgentError('E_REQUIREMENTS_UNMET', 'kernel >=6.1 not met'));
    expect(sys.errLines).toEqual([
      '[FAILED] Checked requirements: kernel >=6.1 not met (detected 5.10.0)',
      '[FAILED] cloudlet-agent stopped: E_REQUIREMENTS_UNMET',
    ]);
  });

  it('prints JSON lines events with --json', async () => {
    sys = fakeSystem();
    const r = reporter({ json: true });
    await typicalRun(r);
    await r.finish('degraded');
    const events = sys.errLines.map((l) => JSON.parse(l) as { event: string });
    expect(events.map((e) => e.event)).toEqual([
      'begin', 'step-start', 'info', 'step-end', 'step-start', 'item', 'info', 'step-end', 'step-start', 'item', 'item', 'step-end', 'finish',
    ]);
    expect(events.at(-1)).toMatchObject({ event: 'finish', state: 'degraded', durationMs: 40 });
  });

  it('copies the console lines to kmsg in init mode, with kernel priorities', async () => {
    sys = fakeSystem();
    mkdirSync(sys.hostPaths.dev, { recursive: true });
    // A regular file stands in for /dev/kmsg: each write is one record.
    writeFileSync(join(sys.hostPaths.dev, 'kmsg'), '');
    const r = createReporter(sys, { mode: 'init', secrets: () => [], serve: false });
    await typicalRun(r);
    const t = sys.monotonicMs();
    r.stepStart('mounts', 'Mounting', t);
    r.stepEnd('mounts', 'degraded', 'Mounted 1 of 2 volumes', t, 5);
    await r.finish('degraded');
    const lines = readFileSync(join(sys.hostPaths.dev, 'kmsg'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('<6>cloudlet-agent: [  OK  ] Loaded manifest hello 1.2.0 (2 ms)');
    expect(lines).toContain('<3>cloudlet-agent: [DEGRADED] Mounted 1 of 2 volumes (5 ms)');
    expect(lines).toHaveLength(5);
  });

  it('leaves kmsg alone in run mode', async () => {
    sys = fakeSystem();
    mkdirSync(sys.hostPaths.dev, { recursive: true });
    writeFileSync(join(sys.hostPaths.dev, 'kmsg'), '');
    const r = reporter();
    await typicalRun(r);
    await r.finish('done');
    expect(readFileSync(join(sys.hostPaths.dev, 'kmsg'), 'utf8')).toBe('');
  });
});

describe('createReporter live socket', () => {
  // The timers' clock moves only when a test says so; the one test about real timers opts out.
  afterEach(() => vi.useRealTimers());
  const fakeTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

  const counting = () => {
    const calls = { started: 0, closed: 0, events: [] as LiveEvent[] };
    const startServer = (): Promise<LiveServer> => {
      calls.started++;
      const server: LiveServer = {
        broadcast: (e) => void calls.events.push(e),
        close: () => {
          calls.closed++;
          return Promise.resolve();
        },
      };
      return Promise.resolve(server);
    };
    return { calls, startServer };
  };

  it('never starts the socket for a run shorter than serveAfterMs', async () => {
    // However slow the machine, the run is shorter: the timers' clock does not move during it.
    fakeTimers();
    sys = fakeSystem();
    const { calls, startServer } = counting();
    const r = reporter({ serve: true, startServer, serveAfterMs: 200 });
    await typicalRun(r);
    await r.finish('done');
    vi.advanceTimersByTime(60_000);
    expect(calls.started).toBe(0);
  });

  it('starts the socket for a longer run, broadcasts what follows, and closes it at finish', async () => {
    sys = fakeSystem();
    const { calls, startServer } = counting();
    fakeTimers();
    const r = reporter({ serve: true, startServer, serveAfterMs: 20 });
    await r.begin('run', '/');
    await vi.advanceTimersByTimeAsync(19);
    expect(calls.started).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.started).toBe(1);
    r.stepStart('manifest', 'Loading manifest', sys.monotonicMs());
    await r.finish('done');
    expect(calls.events.map((e) => e.event)).toEqual(['step-start', 'finish']);
    expect(calls.closed).toBe(1);
  });

  it('keeps the process alive while the socket closes: a referenced timer, since the socket holds nothing', async () => {
    sys = fakeSystem();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    let started!: () => void;
    const serving = new Promise<void>((resolve) => (started = resolve));
    let duringClose: number | undefined;
    const startServer = (): Promise<LiveServer> => {
      started();
      return Promise.resolve({
        broadcast: () => undefined,
        close: () => {
          duringClose = timers();
          return Promise.resolve();
        },
      });
    };
    const r = reporter({ serve: true, startServer, serveAfterMs: 0 });
    await r.begin('run', '/');
    await serving;
    const before = timers();
    // Only promise callbacks run between here and close(): no other timer can come or go.
    await r.finish('done');
    expect(duringClose).toBe(before + 1);
  });

  it('gives up on a socket that never finishes closing, and a socket that starts after the end closes itself', async () => {
    fakeTimers();
    sys = fakeSystem();
    const closed: string[] = [];
    const never = (name: string): LiveServer => ({
      broadcast: () => undefined,
      close: () => {
        closed.push(name);
        return new Promise<void>(() => undefined);
      },
    });
    let lateStart!: (server: LiveServer) => void;
    const starts = [Promise.resolve(never('first')), new Promise<LiveServer>((resolve) => (lateStart = resolve))];
    const startServer = () => starts.shift() as Promise<LiveServer>;
    // Two runs: one whose socket never closes, one whose socket comes up only after the run ended.
    for (const name of ['first', 'late']) {
      const r = reporter({ serve: true, startServer, serveAfterMs: 10 });
      await r.begin('run', '/');
      await vi.advanceTimersByTimeAsync(10);
      let ended = false;
      const finishing = r.finish('done').then(() => (ended = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(ended, name).toBe(false);
      await vi.advanceTimersByTimeAsync(60_000);
      await finishing;
    }
    expect(closed).toEqual(['first']);
    lateStart(never('late'));
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toEqual(['first', 'late']);
  });

  it.each([
    { why: 'as PID 1, where no other process exists until the hand-over', pid1: true, kmsg: false, mode: 'init' as const, started: 0 },
    { why: 'when the run logs to the kernel (initramfs hooks), where no process can ask before it ends', pid1: false, kmsg: true, mode: 'run' as const, started: 0 },
    { why: 'by default from a booted system (the systemd unit)', pid1: false, kmsg: false, mode: 'run' as const, started: 1 },
  ])('serves $started socket(s) $why', async ({ pid1, kmsg, mode, started }) => {
    sys = fakeSystem(pid1 ? { isPid1: true } : {});
    const { calls, startServer } = counting();
    fakeTimers();
    const r = reporter({ serve: undefined, ...(kmsg ? { kmsg: true } : {}), startServer, serveAfterMs: 0 });
    await r.begin(mode, '/');
    await vi.advanceTimersByTimeAsync(60_000);
    await r.finish('done');
    expect(calls.started).toBe(started);
    expect(existsSync(join(sys.hostPaths.run, 'cloudlet', 'status.json'))).toBe(true);
  });

  it('serves nothing in a dry run', async () => {
    sys = fakeSystem();
    const { calls, startServer } = counting();
    fakeTimers();
    const r = reporter({ serve: undefined, dryRun: true, startServer, serveAfterMs: 0 });
    await r.begin('run', '/');
    await vi.advanceTimersByTimeAsync(60_000);
    await r.finish('done');
    expect(calls.started).toBe(0);
  });
});
