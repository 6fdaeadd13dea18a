// The tree engine's public face: walking trees, listings, diffs, layers, image trees, checkout, Git tracking.

export { checkoutImage } from './checkout';
export { diffTrees } from './diff-trees';
export { trackInGit, trackedDigest } from './git-track';
export { imageEntries } from './image-entries';
export { listingText } from './listing';
export { snapshot, type SnapshotReport, type SnapshotRequest } from './snapshot-tree';
export type { ChangeKind, EntryChange, EntryType, TreeDiff, TreeEntry } from './tree-entry';
export { walkTree } from './walk-tree';
export { writeLayer } from './write-layer';
