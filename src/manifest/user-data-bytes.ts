// Turns the bytes a platform delivered into the user-data object: size cap, gzip, JSON, never echoing content.

import { AgentError } from '../errors';
import { jsonExcerpt, MAX_JSON_DEPTH, parseJsonText } from './json-text';

// node:zlib loads only for gzip-compressed user data, which few platforms deliver.
const zlib = () => require('node:zlib') as typeof import('node:zlib');

/** User data is at most 1 MiB (design.md), after decompression. */
export const MAX_USER_DATA_BYTES = 1 << 20;

/**
 * The parsed user-data object, or undefined when the platform delivered nothing (empty or blank).
 * Errors name the platform and the position of a JSON problem, never the content: user data may hold secrets.
 */
export function decodeUserData(bytes: Buffer, platform: string): Record<string, unknown> | undefined {
  let data = bytes;
  if (data.length > MAX_USER_DATA_BYTES) throw tooLarge(platform);
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = zlib().gunzipSync(data, { maxOutputLength: MAX_USER_DATA_BYTES + 1 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(platform);
      throw invalid(platform, 'is gzip-compressed but does not decompress');
    }
    if (data.length > MAX_USER_DATA_BYTES) throw tooLarge(platform);
  }
  let text = data.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return undefined;
  const parsed = parseJsonText(text);
  if (!parsed.ok && parsed.tooDeep) {
    throw invalid(
      platform,
      `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (line ${parsed.line}, column ${parsed.column})`,
      `flatten the user data there: at most ${MAX_JSON_DEPTH} levels of arrays and objects`,
    );
  }
  if (!parsed.ok) {
    const where = parsed.atEnd ? ' (it ends too early)' : ` (line ${parsed.line}, column ${parsed.column})`;
    const hint = /^\s*#(cloud-config|!)/.test(text)
      ? 'cloudlet-agent reads JSON user data, not cloud-config or scripts: write {"config": {...}}'
      : 'make the user data one JSON object, e.g. {"config": {...}}';
    // Values may be secrets: the excerpt shows keys and structure only.
    const excerpt = parsed.atEnd ? [] : jsonExcerpt(text, parsed.line, parsed.column, { hideValues: true }).map((l) => `  ${l}`);
    throw invalid(platform, [`is not valid JSON${where}`, ...excerpt].join('\n'), hint);
  }
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(platform, `must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/** `where`: the URL or file it came from, when known. */
export function tooLarge(platform: string, where = `platform ${platform}`): AgentError {
  return new AgentError('E_USERDATA_TOO_LARGE', `user data from ${platform} is larger than 1 MiB`, {
    where,
    fix: 'keep user data under 1 MiB; put large files into the image or on a disk',
  });
}

function invalid(platform: string, what: string, fix = 'make the user data one JSON object, e.g. {"config": {...}}'): AgentError {
  return new AgentError('E_USERDATA_INVALID', `user data from ${platform} ${what}`, { where: `platform ${platform}`, fix });
}
