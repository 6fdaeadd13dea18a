// Shared inputs for the targets' unit tests: a context with options set by `key=value`, and a recipe by name.

import type { TargetContext } from './context';
import { parseTargetOptions } from './options';
import type { Recipe } from './recipes';
import { recipeByName } from './target-list';

export function testContext(settings: string[] = [], overrides: Partial<TargetContext> = {}): TargetContext {
  return { name: 'hello-1.2.0', digest: `sha256:${'ab'.repeat(32)}`, mtime: 1_700_000_000, arch: 'x86_64', options: parseTargetOptions(settings), ...overrides };
}

export function recipe(name: string): Recipe {
  const r = recipeByName(name);
  if (!r) throw new Error(`no recipe ${name}`);
  return r;
}
