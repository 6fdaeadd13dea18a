// The process's standard output and error: lines that a vanished reader cannot turn into a crash, and a wait until every byte is out.

import type { Writable } from 'node:stream';

const gone = new WeakSet<Writable>();
const watched = new WeakSet<Writable>();

/**
 * A reader that went away (EPIPE) or a descriptor that failed ends that output, not the command: the
 * boot goes on and the exit code stays the command's. Without a listener the error would be thrown.
 */
function watch(stream: Writable): void {
  if (watched.has(stream)) return;
  watched.add(stream);
  stream.on('error', () => gone.add(stream));
}

/** Writes `text` as one line (a newline added when missing). */
export function writeLine(stream: Writable, text: string): void {
  watch(stream);
  if (gone.has(stream)) return;
  stream.write(text.endsWith('\n') ? text : text + '\n');
}

/**
 * Resolves once everything written to `stream` so far is with the kernel (or the stream failed).
 * A pipe takes 64 KiB; what its reader has not yet made room for waits in this process, and
 * process.exit or execve would drop it.
 */
export function flushed(stream: Writable): Promise<void> {
  watch(stream);
  if (gone.has(stream) || stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('error', done);
      resolve();
    };
    stream.once('error', done);
    // Writes complete in order: this empty one calls back once every earlier one has.
    stream.write('', done);
  });
}

/** Both of the process's outputs, flushed. */
export async function flushStdio(): Promise<void> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
}
