// Target names: the list `--target` accepts and its parser, with a did-you-mean for unknown names.

import { AgentError, type Problem } from '../../errors';
import { closest } from '../../manifest/problems';
import { RECIPES, type Recipe } from './recipes';

/** Every target name, in table order. */
export function targetNames(): string[] {
  return RECIPES.map((r) => r.name);
}

export function recipeByName(name: string): Recipe | undefined {
  return RECIPES.find((r) => r.name === name);
}

/**
 * The recipes a `--target a,b` list names, in table order, each once; `all` names every target.
 * Unknown names are reported together as E_BAKE_TARGET.
 */
export function parseTargets(list: string): Recipe[] {
  const names = list.split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
  if (names.length === 0) {
    throw new AgentError('E_BAKE_TARGET', 'no target given', { fix: `name one or more of: ${targetNames().join(', ')} (or all), e.g. --target raw,qcow2` });
  }
  if (names.includes('all')) return [...RECIPES];
  const problems: Problem[] = [];
  for (const name of names) {
    if (recipeByName(name)) continue;
    const guess = closest(name, targetNames());
    problems.push({ path: name, message: `unknown target${guess ? `; did you mean "${guess}"?` : ''}` });
  }
  if (problems.length > 0) {
    throw new AgentError('E_BAKE_TARGET', `unknown target${problems.length > 1 ? 's' : ''} ${problems.map((p) => `"${p.path}"`).join(', ')}`, {
      where: '--target',
      problems,
      fix: `targets: ${targetNames().join(', ')} (or all)`,
    });
  }
  return RECIPES.filter((r) => names.includes(r.name));
}
