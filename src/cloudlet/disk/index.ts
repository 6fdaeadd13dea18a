// What bake uses of the disk: measure the tree, plan the disk (pure), describe the plan, build it.

export { measureTree } from './measure-tree';
export { planDisk } from './plan';
export { describeDisk, diskCommands, DRY_RUN_PATHS } from './describe';
export { buildDisk, bootFileSizes, type BootFiles, type BuiltDisk } from './build';
export type { DiskInput, DiskPlan, DiskSizing, EspPlan, PartitionPlan, RootFsPlan, TreeUsage } from './types';
