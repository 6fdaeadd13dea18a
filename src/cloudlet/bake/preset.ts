// A preset: user data baked into the image as its built-in default (the `file` platform), checked at bake time.

import { readFile, stat } from 'node:fs/promises';
import { AgentError } from '../../errors';
import { validateUserData } from '../../manifest/config';
import { jsonExcerpt, parseJsonText } from '../../manifest/json-text';
import type { NormalizedManifest } from '../../manifest/types';

/** Where the agent's `file` platform reads its baked default (src/agent/platforms/file.ts). */
export const PRESET_PATH = '/etc/cloudlet/user-data.json';
/** The same cap the agent puts on user data. */
export const MAX_PRESET_BYTES = 1024 * 1024;

export interface Preset {
  /** the bytes written into the image, as given (the agent validates them again at boot) */
  bytes: Buffer;
  /** secret values (writeOnly in the config schema), scrubbed from everything bake prints */
  secrets: string[];
}

/**
 * Reads and validates a preset against the manifest: the user-data schema, then the config schema.
 * A manifest that does not list the `file` platform would never read it, so that is refused too.
 */
export async function loadPreset(file: string, manifest: NormalizedManifest): Promise<Preset> {
  const size = await stat(file).then(
    (s) => (s.isFile() ? s.size : -1),
    () => -1,
  );
  if (size < 0) throw new AgentError('E_BAKE_INPUT', `the preset ${file} is not a readable file`, { where: file, fix: 'give --preset the path of a user-data JSON file' });
  if (size > MAX_PRESET_BYTES) {
    throw new AgentError('E_USERDATA_TOO_LARGE', `the preset is ${size} bytes, more than the ${MAX_PRESET_BYTES} user data may have`, { where: file, fix: 'keep user data under 1 MiB' });
  }
  if (!manifest.platforms.includes('file')) {
    throw new AgentError('E_BAKE_INPUT', `image ${manifest.name} does not list the "file" platform, so a baked preset would never be read`, {
      where: '/platforms',
      fix: 'add "file" to the manifest\'s platforms (last, as the fallback), or bake without --preset',
    });
  }
  const bytes = await readFile(file);
  const parsed = parseJsonText(bytes.toString('utf8'));
  if (!parsed.ok) {
    // A preset is user data: the excerpt shows its keys and structure, never a value.
    const excerpt = jsonExcerpt(bytes.toString('utf8'), parsed.line, parsed.column, { hideValues: true }).map((l) => `  ${l}`);
    throw new AgentError('E_USERDATA_INVALID', [`the preset is not valid JSON: ${parsed.reason} at line ${parsed.line} column ${parsed.column}`, ...excerpt].join('\n'), {
      where: `${file}:${parsed.line}:${parsed.column}`,
      fix: 'fix the JSON syntax there',
    });
  }
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    throw new AgentError('E_USERDATA_INVALID', 'the preset is not a JSON object', { where: file, fix: 'write user data as { "config": { ... } }' });
  }
  const validated = validateUserData(parsed.value, manifest, 'preset');
  return { bytes, secrets: validated.secrets };
}
