// What bake uses of the targets: the recipe table, target and option parsing, conversion, checks and dry runs.

export { RECIPES, recipeTools, type Recipe, type TargetName, type OutputRole } from './recipes';
export { targetNames, parseTargets, recipeByName } from './target-list';
export { OPTION_SPECS, defaultTargetOptions, parseTargetOptions, optionsFor, type TargetOptions } from './options';
export type { TargetContext } from './context';
export { convert, type ConvertResult } from './convert';
export { checkOutput, type OutputFile } from './check-output';
export { describe, type TargetDescription } from './describe';
