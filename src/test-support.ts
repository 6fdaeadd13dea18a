// For unit tests of either program: the AgentError a call throws, so a test can look at its code, where and fix.

import { AgentError } from './errors';

/** The AgentError `fn` throws; any other throw is rethrown, and no throw at all fails the test. */
export function agentErrorOf(fn: () => unknown): AgentError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AgentError) return err;
    throw err;
  }
  throw new Error('expected an AgentError');
}
