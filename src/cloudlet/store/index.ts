// The image store's public face: what snapshot, push, pull, bake and the store commands use.

export { canonicalJson } from './canonical-json';
export { defaultStoreDir, storeDirOf, storeFlagDetail } from './default-dir';
export { gc, type GcReport } from './gc';
export { derivationTree, historyOf, type ImageRow, type TreeNode } from './history';
export { readImageGraph, type GraphNode } from './image-graph';
export { type Descriptor, type ImageConfig, type ImageManifest, MEDIA, PARENT, CREATED, REF_NAME } from './oci-docs';
export { parseNameRef, parseRef, shortDigest } from './refs';
export { Store, type ResolvedImage, type StoreOptions } from './store';
export { imageDocs, writeImage, type NewImage } from './write-image';
