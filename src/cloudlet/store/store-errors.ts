// The two errors of the image store: the store itself is unusable (E_STORE), or a reference names nothing (E_REF).

import { AgentError } from '../../errors';

export const FIX_DAMAGED_BLOB = 'delete that blob file and snapshot or pull the image again; "cloudlet gc" then drops what nothing references';

/** The store (its layout, index.json, a blob, the lock) cannot be used as it is. */
export function storeError(what: string, where: string, fix: string, cause?: unknown): AgentError {
  return new AgentError('E_STORE', what, { where, fix, ...(cause === undefined ? {} : { cause }) });
}

/** A reference that is malformed, unknown or ambiguous. */
export function refError(what: string, where: string, fix: string): AgentError {
  return new AgentError('E_REF', what, { where, fix });
}
