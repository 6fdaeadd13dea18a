// What a reference typed by a user names: NAME[:VERSION], a full manifest digest, or a unique hex prefix. No I/O.

import { refError } from './store-errors';

/** An image name like an OCI repository path: lower-case components joined by "/". */
const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
/** A version like an OCI tag. */
const VERSION = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const MAX_NAME = 255;
export const MIN_PREFIX = 12;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

export type RefQuery =
  | { kind: 'name'; ref: string }
  | { kind: 'digest'; digest: string }
  /** hex digits of a manifest digest; `ref` is set when the same text is also a valid name (it is tried first) */
  | { kind: 'prefix'; hex: string; ref?: string };

const GRAMMAR = 'a reference is NAME[:VERSION] (NAME: lower-case a-z 0-9 separated by . _ - or /; VERSION: A-Z a-z 0-9 _ . -, at most 128), sha256:<64 hex>, or at least 12 hex digits of a digest';

/** Reads any reference a command accepts. */
export function parseRef(text: string): RefQuery {
  const hex = /^(?:sha256:)?([0-9a-f]+)$/.exec(text);
  if (hex && (hex[1] as string).length >= MIN_PREFIX && (hex[1] as string).length <= 64) {
    const digits = hex[1] as string;
    if (text.startsWith('sha256:') && digits.length === 64) return { kind: 'digest', digest: text };
    return text.startsWith('sha256:') ? { kind: 'prefix', hex: digits } : { kind: 'prefix', hex: digits, ref: `${digits}:latest` };
  }
  if (text.startsWith('sha256:')) throw refError(`"${shown(text)}" is not a sha256 digest or a prefix of one`, text, 'give sha256: and 12 to 64 hex digits (see cloudlet log)');
  return { kind: 'name', ref: parseNameRef(text) };
}

/** A NAME[:VERSION] reference, as the `NAME:VERSION` stored in index.json (`NAME` alone is `NAME:latest`). */
export function parseNameRef(text: string): string {
  const colon = text.lastIndexOf(':');
  // A colon before a "/" would be a registry's port, which names no image in the store.
  const hasVersion = colon >= 0 && !text.slice(colon).includes('/');
  const name = hasVersion ? text.slice(0, colon) : text;
  const version = hasVersion ? text.slice(colon + 1) : 'latest';
  if (name.length === 0 || name.length > MAX_NAME || !NAME.test(name)) {
    throw refError(`"${shown(text)}" is not a valid image name`, text, GRAMMAR);
  }
  if (!VERSION.test(version)) throw refError(`"${shown(text)}" has an invalid version "${shown(version)}"`, text, GRAMMAR);
  return `${name}:${version}`;
}

/** The first 12 hex digits of a digest, as log and gc print it. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, MIN_PREFIX);
}

/** References come from the command line; a pasted megabyte must not come back in an error message. */
function shown(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
