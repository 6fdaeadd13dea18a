// User data after validation: the user's config with defaults applied, and what must never be printed.

import type { StorageSpec } from './types';

export interface ValidatedUserData {
  /** config validated against the manifest's config.schema, defaults applied */
  config: Record<string, unknown>;
  hostname?: string;
  storage?: Partial<StorageSpec>;
  /** values of writeOnly fields: rendered into files, scrubbed from every output */
  secrets: string[];
}
