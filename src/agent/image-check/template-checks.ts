// Every template as the templates step would take it: read, compiled, includes resolved and, given a context, rendered in memory.

import { AgentError } from '../../errors';
import type { TemplateSpec } from '../../manifest/types';
import type { TemplateContext } from '../templates/context';
import type { IncludeEntry } from '../templates/includes';
import { loadAccounts, loadTemplates } from '../templates/read-sources';
import { planInRounds } from '../templates/plan-rounds';
import { templateText } from '../templates/plan';
import { compileTemplate, type CompiledTemplates } from '../templates/render-template';
import { templateError } from '../templates/template-error';
import { collect, problemOf, type ImageProblem } from './image-problem';

export interface TemplateCheckInput {
  root: string;
  /** host directory of the run's own copies (System.hostPaths.run), read as the step reads it */
  runDir: string;
  templates: readonly TemplateSpec[];
  /** the context to render with; without one, templates are only read and compiled */
  context: TemplateContext | undefined;
  /** values no message may show */
  secrets: readonly string[];
}

/**
 * One problem per template that the step would stop at, each found on its own so that all are reported.
 * Templates go one at a time through the step's own loader and planner; includes and compiled code are
 * shared between them, as within one run.
 */
export async function templateProblems(input: TemplateCheckInput): Promise<ImageProblem[]> {
  const problems: ImageProblem[] = [];
  // The step reads them before any template: when it cannot, no template is rendered.
  const accounts = await loadAccounts(input.root).catch((err: unknown) => {
    if (!(err instanceof AgentError)) throw err;
    problems.push(problemOf(err, '/templates'));
    return undefined;
  });
  if (!accounts) return problems;
  const includes = new Map<string, IncludeEntry>();
  const compiled: CompiledTemplates = new Map();
  for (const [i, spec] of input.templates.entries()) {
    await collect(problems, `/templates/${i}`, async () => {
      const loaded = await loadTemplates(input.root, input.runDir, [spec]);
      const { context } = input;
      if (context) {
        await planInRounds(input.root, { templates: loaded, context, accounts, includes, secrets: input.secrets, compiled });
        return;
      }
      for (const t of loaded) {
        const text = templateText(t);
        try {
          compileTemplate(text, spec.path);
        } catch (err) {
          throw templateError(err, spec.path, input.secrets);
        }
      }
    });
  }
  return problems;
}
