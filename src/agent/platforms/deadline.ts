// Time left to a platform before its deadline, for the programs and requests it runs.

import type { System } from '../../system/system';

/** Milliseconds left before `deadline`, at least 1 so an exec timeout is never "none". */
export function remainingMs(system: System, deadline: number): number {
  return Math.max(1, Math.floor(deadline - system.monotonicMs()));
}
