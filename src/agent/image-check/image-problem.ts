// What validate reports about an image tree: a problem at a JSON path of the manifest, with how to fix it.

import { AgentError } from '../../errors';

export interface ImageProblem {
  /** JSON pointer into the manifest: the entry that leads to the problem */
  path: string;
  /** what and where (file:line when a template line is known) */
  message: string;
  fix?: string;
}

/** An AgentError a boot step would throw, as a problem at `path`; its `where` leads the message when it adds to it. */
export function problemOf(err: AgentError, path: string): ImageProblem {
  const [first = '', ...rest] = err.message.split('\n');
  const head = err.code === 'E_TEMPLATE' && err.where ? first.replace(/^template \S+: /, `${err.where}: `) : first;
  return { path, message: [head, ...rest].join('\n'), ...(err.fix ? { fix: err.fix } : {}) };
}

/** Runs `fn`, turning a thrown AgentError into a problem at `path`; other errors go on up. */
export async function collect(problems: ImageProblem[], path: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof AgentError)) throw err;
    problems.push(problemOf(err, path));
  }
}
