// Plans templates in rounds: render, load the include files the render asked for, render again. Used by the step and by validate.

import { AgentError } from '../../errors';
import type { IncludeEntry } from './includes';
import { planTemplates, type PlanInput, type PlannedTemplate } from './plan';
import { loadInclude } from './read-sources';

/** Rounds of "render, load the includes it asked for": each round loads at least one new file. */
const MAX_INCLUDE_ROUNDS = 100;

export interface RoundsInput extends PlanInput {
  /** include files read so far, by image path: filled as the rounds go (and shared between calls) */
  includes: Map<string, IncludeEntry>;
}

/** Every template planned, its includes read from the image under `root`; throws the first template's error. */
export async function planInRounds(root: string, input: RoundsInput): Promise<PlannedTemplate[]> {
  for (let round = 0; round < MAX_INCLUDE_ROUNDS; round++) {
    const result = planTemplates(input);
    if (result.templates) return result.templates;
    for (const path of result.needs) input.includes.set(path, await loadInclude(root, path));
  }
  throw new AgentError('E_TEMPLATE', `templates include more than ${MAX_INCLUDE_ROUNDS} rounds of files`, {
    fix: 'reduce the depth of includes',
  });
}
