// The end of either program: exit with the command's code once all it printed is out, and never exit 0 by accident.

import { AgentError, EXIT, type ExitCode } from '../errors';
import { flushStdio, writeLine } from '../system/stdio';

/**
 * Runs `command` and exits with its code after stdout and stderr are handed over (a pipe's reader may
 * be slower than the program). The one place each program calls process.exit.
 */
export function runMain(program: string, command: () => Promise<ExitCode>): void {
  let ended = false;
  const end = (code: ExitCode): void => {
    if (ended) return;
    ended = true;
    // Also the code if the event loop runs dry while the output drains.
    process.exitCode = code;
    void flushStdio().then(() => process.exit(code));
  };
  // Node exits 0 when nothing is left to wait for, even with the command still pending (a handle
  // unreferenced too early, a promise nobody settles). A command that did not finish did not succeed.
  process.once('beforeExit', () => {
    if (ended) return;
    const error = new AgentError('E_INTERNAL', 'the command stopped before it finished: it was left waiting for something that can no longer happen', {
      fix: `this is a bug in ${program}; report it with the output above`,
    });
    writeLine(process.stderr, error.render());
    end(EXIT.failed);
  });
  command().then(end, (err: unknown) => {
    writeLine(process.stderr, `${program}: ${String(err)}`);
    end(EXIT.failed);
  });
}
