// The reporter the commands use: fans each pipeline event out to status files, console, kmsg and socket.

import type { AgentError } from '../../errors';
import { writeAtomicSync } from '../../system/atomic-write';
import type { System } from '../../system/system';
import { AGENT_VERSION } from '../../version';
import { consoleLine } from './console-lines';
import type { LiveEvent } from './formats';
import { openKmsg, type KernelLog } from './kmsg';
import { startIpcServer } from './ipc-server';
import type { LiveServer, LiveServerOptions } from './live';
import { RunRecorder } from './recorder';
import type { ItemEvent, Reporter, RunInfo, RunStateName, StepOutcome, WaitStart } from './reporter';
import { statusPaths } from './run-dir';
import { createScrubber } from '../../secrets/scrub';

export interface ReporterOptions {
  mode: string;
  /** print only failures */
  quiet?: boolean;
  /** JSON lines events on stderr instead of console lines */
  json?: boolean;
  /** a dry run writes no file and serves no socket */
  dryRun?: boolean;
  /** the current secret values (known once user data is read); scrubbed from every output */
  secrets: () => readonly string[];
  /** copy console lines to /dev/kmsg; default: when PID 1 or in init mode (early boot) */
  kmsg?: boolean;
  /**
   * serve the live status socket; default: unless a dry run, PID 1 or told to log to the kernel (an initramfs
   * hook): no other process exists to ask until the boot goes on, and loading node-ipc is not free under emulation
   */
  serve?: boolean;
  /**
   * Start the socket only once the run has lasted this long (default 250 ms). Loading node-ipc costs
   * tens of milliseconds of CPU (node:tls among its imports); a run shorter than this never pays it, and
   * a longer one pays it while its steps wait on disks and networks. Clients poll status.json meanwhile.
   */
  serveAfterMs?: number;
  /** how often a wait's progress is told (console line, status.json, socket); default 1000 ms */
  progressEveryMs?: number;
  /** the live channel; tests and a future node:net version pass their own */
  startServer?: (options: LiveServerOptions) => Promise<LiveServer>;
}

const DEFAULT_SERVE_AFTER_MS = 250;
const DEFAULT_PROGRESS_MS = 1000;
/** The most a run's end waits for the socket to finish starting and to close (closing alone takes ~100 ms). */
const SOCKET_END_LIMIT_MS = 2000;

export function createReporter(system: System, options: ReporterOptions): Reporter {
  const scrub = createScrubber(options.secrets);
  const recorder = new RunRecorder(system, { agentVersion: AGENT_VERSION, pid: process.pid });
  const paths = statusPaths(system.hostPaths.run);
  const writeFiles = !options.dryRun;
  // As PID 1 or from an initramfs hook (the runs that log to the kernel) no other process can ask before the run ends;
  // under emulation loading node-ipc there costs the boot a large part of a second.
  const serve = options.serve ?? (!options.dryRun && !system.isPid1 && options.kmsg !== true);
  let kmsg: KernelLog | undefined;
  let server: LiveServer | undefined;
  let serverStarting: Promise<void> | undefined;
  let serveTimer: NodeJS.Timeout | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  let finished = false;
  let filesBroken = false;

  const writeStatusFiles = (withReport: boolean) => {
    if (!writeFiles || filesBroken) return;
    try {
      writeAtomicSync(paths.status, JSON.stringify(scrub.json(recorder.status()), null, 2) + '\n');
      if (withReport) writeAtomicSync(paths.report, JSON.stringify(scrub.json(recorder.report()), null, 2) + '\n');
    } catch (err) {
      // Status is a record of the boot, not a reason to stop it: say so once and carry on.
      filesBroken = true;
      system.err(scrub.text(`cloudlet-agent: cannot write ${paths.dir}: ${(err as Error).message}`));
    }
  };

  const emit = (event: LiveEvent) => {
    const clean = scrub.json(event);
    const line = consoleLine(clean);
    if (options.json) {
      if (!options.quiet || line?.problem || clean.event === 'finish') system.err(JSON.stringify(clean));
    } else if (line && (!options.quiet || line.problem)) {
      system.err(line.text);
    }
    if (line && kmsg) kmsg.write(line.text, line.problem);
    server?.broadcast(clean);
  };

  const startServing = () => {
    const start = options.startServer ?? startIpcServer;
    // Never awaited by the boot: the socket is a convenience, and it comes up while the steps run.
    serverStarting = start({ socketPath: paths.socket, snapshot: () => scrub.json(recorder.status()) })
      .then((s) => {
        // A start slower than the end's limit: nobody is left to close it but itself.
        if (finished) void s.close();
        else server = s;
      })
      .catch((err: unknown) => {
        if (!options.quiet) system.err(scrub.text(`cloudlet-agent: status socket ${paths.socket} not served: ${(err as Error).message}`));
      });
  };

  const stopProgress = () => {
    clearInterval(progressTimer);
    progressTimer = undefined;
  };
  /** Once the wait is over: a status.json that told of it is rewritten without it. */
  const endProgress = () => {
    if (progressTimer === undefined || recorder.waitProgress()) return;
    stopProgress();
    writeStatusFiles(false);
  };
  const tellProgress = () => {
    const event = recorder.waitProgress();
    if (!event) return stopProgress();
    emit(event);
    writeStatusFiles(false);
  };

  return {
    async begin(mode: string, root: string) {
      emit(recorder.begin(mode, root));
      if (options.kmsg ?? (system.isPid1 || options.mode === 'init')) kmsg = openKmsg(system.hostPaths.dev);
      writeStatusFiles(false);
      if (serve && writeFiles && !filesBroken) {
        serveTimer = setTimeout(startServing, options.serveAfterMs ?? DEFAULT_SERVE_AFTER_MS);
        // A pending start must not keep a finished agent alive.
        serveTimer.unref();
      }
    },
    stepStart(step: string, title: string, startMs: number) {
      emit(recorder.stepStart(step, title, startMs));
      // A handful of small writes to a tmpfs per run: readers without the socket (other users, an agent
      // that died) still see how far the run got.
      writeStatusFiles(false);
    },
    stepEnd(step: string, outcome: StepOutcome, summary: string, startMs: number, durationMs: number) {
      emit(recorder.stepEnd(step, outcome, summary, startMs, durationMs));
      endProgress();
    },
    item(step: string, event: ItemEvent) {
      emit(recorder.item(step, event));
      endProgress();
    },
    waiting(step: string, wait: WaitStart) {
      recorder.wait(step, wait);
      stopProgress();
      progressTimer = setInterval(tellProgress, options.progressEveryMs ?? DEFAULT_PROGRESS_MS);
      // Progress is a courtesy: it must never keep a finished agent alive.
      progressTimer.unref();
    },
    info(info: RunInfo) {
      emit(recorder.addInfo(info));
    },
    async finish(state: RunStateName, error?: AgentError) {
      stopProgress();
      const event = recorder.finish(state, error);
      // Files first: a client cut off by the closing socket falls back to them and finds the end.
      writeStatusFiles(true);
      emit(event);
      clearTimeout(serveTimer);
      // A server still starting is waited for only so it can be closed; its start is quick.
      await within(
        (async () => {
          if (serverStarting) await serverStarting;
          if (server) await server.close();
        })(),
        SOCKET_END_LIMIT_MS,
      );
      finished = true;
      server = undefined;
      kmsg?.close();
      kmsg = undefined;
    },
  };
}

/**
 * Waits for `work`, at most `ms`. The timer is referenced while the socket's handles are not (they
 * must never keep a finished agent alive): without it the event loop could run dry while the run's
 * end waits for the socket, and Node would exit 0 before the command printed or returned anything.
 */
function within(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}
