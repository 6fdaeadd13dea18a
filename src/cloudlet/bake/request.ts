// What a bake is asked to do, as parsed from the command line: plain data that the bake plan reads.

import { AgentError } from '../../errors';
import { parseMemorySize } from '../../manifest/value-formats';
import { parseTargetOptions, parseTargets, type Recipe, type TargetOptions } from '../targets';

export interface BakeRequest {
  /** image directory, tarball, OCI image layout or docker/podman save archive */
  image: string;
  /** which image of a layout or archive holding several (tag, name:tag or digest) */
  ref?: string;
  /** the image's manifest digest when it comes from the image store: it pins the input, which then is not hashed */
  imageDigest?: string;
  targets: Recipe[];
  targetOptions: TargetOptions;
  out: string;
  cacheDir: string;
  /** the agent executable copied into the image */
  agentBinary: string;
  manifestFile?: string;
  presetFile?: string;
  /** bytes of the whole disk; absent: sized automatically */
  sizeBytes?: number;
  /** SOURCE_DATE_EPOCH; absent: the input's newest mtime */
  sourceDateEpoch?: number;
  dryRun: boolean;
}

/** "4G", "2048M", "1.5GiB" -> bytes; a clear usage error otherwise. */
export function parseSize(text: string): number {
  const bytes = parseMemorySize(text);
  if (bytes === undefined || bytes <= 0) {
    throw new AgentError('E_USAGE', `--size "${text}" is not a size`, { fix: 'give a size such as 2G, 1536M or 4GiB (binary units)' });
  }
  return bytes;
}

/** SOURCE_DATE_EPOCH as the reproducible-builds convention defines it: whole seconds, no sign, no fraction. */
export function parseSourceDateEpoch(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^[0-9]{1,12}$/.test(text)) {
    throw new AgentError('E_USAGE', `SOURCE_DATE_EPOCH "${text}" is not a whole number of seconds`, { fix: 'set it to a Unix time, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)' });
  }
  return Number(text);
}

export function parseTargetList(text: string | undefined): Recipe[] {
  if (text === undefined) throw new AgentError('E_USAGE', 'bake needs --target', { fix: 'name the outputs, e.g. --target raw,qcow2 (cloudlet bake --help lists them)' });
  return parseTargets(text);
}

export function parseOptions(settings: readonly string[]): TargetOptions {
  return parseTargetOptions(settings);
}
