// Entry point of the executable: the one place that calls process.exit.

import { dispatch } from './cli/dispatch';
import { AgentError, EXIT, type ExitCode } from '../errors';
import { realSystem } from '../system/real-system';
import { flushStdio, writeLine } from '../system/stdio';

let ended = false;

/** Exits with `code` once everything printed is out: a pipe's reader may be slower than the agent. */
function end(code: ExitCode): void {
  if (ended) return;
  ended = true;
  // Also the code if the event loop runs dry while the output drains.
  process.exitCode = code;
  void flushStdio().then(() => process.exit(code));
}

// Node exits 0 when nothing is left to wait for, even with the command still pending (a handle
// unreferenced too early, a promise nobody settles). A command that did not finish did not succeed.
process.once('beforeExit', () => {
  if (ended) return;
  const error = new AgentError('E_INTERNAL', 'the command stopped before it finished: it was left waiting for something that can no longer happen', {
    fix: 'this is a bug in cloudlet-agent; report it with the output above',
  });
  writeLine(process.stderr, error.render());
  end(EXIT.failed);
});

dispatch(process.argv.slice(2), realSystem()).then(end, (err: unknown) => {
  writeLine(process.stderr, `cloudlet-agent: ${String(err)}`);
  end(EXIT.failed);
});
