// Reads a facts file (what `cloudlet-agent facts --json` prints) and checks its shape, reporting every problem.

import { AgentError, type Problem } from '../../errors';
import { jsonExcerpt, parseJsonText } from '../../manifest/json-text';
import type { Facts } from './facts-types';

type Check = (value: unknown) => string | undefined;

const nonEmptyString: Check = (v) => (typeof v === 'string' && v.trim() !== '' ? undefined : 'must be a non-empty string');
const anyString: Check = (v) => (typeof v === 'string' ? undefined : 'must be a string');

/** Every key of Facts, in the order `facts` prints them, with what its value must be. */
export const FACT_KEYS: Readonly<Record<keyof Facts, Check>> = {
  arch: nonEmptyString,
  os: nonEmptyString,
  kernelRelease: nonEmptyString,
  hostname: anyString,
  cpus: (v) => (Number.isSafeInteger(v) && (v as number) >= 1 ? undefined : 'must be a whole number of at least 1'),
  memoryBytes: (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be a whole number of bytes'),
  cpuFlags: (v) => (Array.isArray(v) && v.every((f) => typeof f === 'string') ? undefined : 'must be a list of strings'),
  hypervisor: nonEmptyString,
};

export interface FactsFileResult {
  facts: Facts;
  /** keys this version does not know (a newer agent's facts): ignored, but worth a warning */
  ignoredKeys: string[];
}

/**
 * The facts in `text`; throws one E_FACTS_INVALID listing every problem with its JSON path. Keys this
 * version does not know are ignored (a newer agent may print more facts); a missing key is an error.
 */
export function parseFactsFile(text: string, where: string): FactsFileResult {
  const fix = 'make the file with "cloudlet-agent facts --json > FILE" on the machine to check against';
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const excerpt = jsonExcerpt(text, parsed.line, parsed.column, { hideValues: false }).map((l) => `  ${l}`);
    throw new AgentError('E_FACTS_INVALID', [`the facts file is not valid JSON: ${parsed.reason} at line ${parsed.line} column ${parsed.column}`, ...excerpt].join('\n'), {
      where: `${where}:${parsed.line}:${parsed.column}`,
      fix,
    });
  }
  const data = parsed.value;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new AgentError('E_FACTS_INVALID', 'the facts file must hold a JSON object', { where, problems: [{ path: '', message: 'must be an object' }], fix });
  }
  const record = data as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const [key, check] of Object.entries(FACT_KEYS)) {
    if (!(key in record)) {
      problems.push({ path: `/${key}`, message: 'is required' });
      continue;
    }
    const problem = check(record[key]);
    if (problem) problems.push({ path: `/${key}`, message: problem });
  }
  if (problems.length) {
    const n = problems.length;
    throw new AgentError('E_FACTS_INVALID', `the facts file has ${n} problem${n === 1 ? '' : 's'}`, { where, problems, fix });
  }
  const facts = Object.fromEntries(Object.keys(FACT_KEYS).map((k) => [k, record[k]])) as unknown as Facts;
  return { facts, ignoredKeys: Object.keys(record).filter((k) => !(k in FACT_KEYS)) };
}
