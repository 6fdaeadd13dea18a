// What goes into the log bundle: the run's records, console lines, journal excerpt, manifest and facts, each scrubbed.

import { basename } from 'node:path';
import { loadManifest, MANIFEST_PATH, MAX_MANIFEST_BYTES } from '../../manifest/load';
import { decodeUserData } from '../../manifest/user-data-bytes';
import { readCapped } from '../../manifest/user-data-file';
import type { NormalizedManifest } from '../../manifest/types';
import { parseJsonText } from '../../manifest/json-text';
import { createScrubber, type Scrubber } from '../../secrets/scrub';
import { joinRoot } from '../../system/root-path';
import type { System } from '../../system/system';
import { findTool } from '../../system/tools';
import { BAKED_USER_DATA } from '../platforms/file';
import { collectFacts } from '../requirements/collect-facts';
import { consoleLine } from '../status/console-lines';
import { contextFile } from '../status/context-record';
import type { ReportDoc } from '../status/formats';
import { statusPaths } from '../status/run-dir';
import { journalExcerpt } from './journal';
import { knownSecrets } from './known-secrets';

/** Records past this are cut: a bug report needs their start, not gigabytes. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface Member {
  name: string;
  content: string;
  /** why it is empty, cut or a note instead of the file */
  note?: string;
}

export interface GatherInput {
  root: string;
  runDir: string;
  /** user-data files the caller names (--user-data): their writeOnly values are scrubbed too */
  userDataFiles: readonly string[];
}

/** Every member, scrubbed of every secret known now; what is missing is a member holding a note. */
export async function gatherMembers(system: System, input: GatherInput): Promise<Member[]> {
  const manifest = await loadManifest({ root: input.root }).catch(() => undefined);
  const secrets = manifest ? knownSecrets(manifest, await userDataObjects(input)) : [];
  const clean = createScrubber(() => secrets);
  const paths = statusPaths(input.runDir);
  const report = await readRecord(paths.report, 'report.json', clean);
  const members: Member[] = [
    await readRecord(paths.status, 'status.json', clean),
    report,
    await readRecord(contextFile(input.runDir), 'context.json', clean),
    consoleMember(report),
    await journalMember(system, clean),
    await manifestMember(input.root, manifest, clean),
    { name: 'facts.json', content: JSON.stringify(clean.json(await collectFacts(system)), null, 2) + '\n' },
  ];
  return members;
}

async function userDataObjects(input: GatherInput): Promise<Record<string, unknown>[]> {
  const files = [...input.userDataFiles.map((f) => ({ host: f, name: f })), { host: await joinRoot(input.root, BAKED_USER_DATA), name: BAKED_USER_DATA }];
  const objects: Record<string, unknown>[] = [];
  for (const file of files) {
    const bytes = await readCapped(file.host).catch(() => null);
    if (bytes === null) continue;
    // Unreadable user data gives no secrets to look for; its bytes go into no member either.
    const obj = (() => {
      try {
        return decodeUserData(bytes, basename(file.name));
      } catch {
        return undefined;
      }
    })();
    if (obj) objects.push(obj);
  }
  return objects;
}

/** A record of the run, scrubbed as JSON when it is JSON (the result stays JSON), else as text. */
async function readRecord(host: string, name: string, clean: Scrubber): Promise<Member> {
  const bytes = await readCapped(host, MAX_RECORD_BYTES).catch((err: unknown) => err as Error);
  if (bytes instanceof Error) return note(name, `cannot read ${host}: ${bytes.message}`);
  if (bytes === null) return note(name, `${host} does not exist (no run recorded this boot, or --run-dir points elsewhere)`);
  const cut = bytes.length > MAX_RECORD_BYTES;
  const text = bytes.subarray(0, MAX_RECORD_BYTES).toString('utf8');
  const parsed = cut ? undefined : parseJsonText(text, 256);
  const content = parsed?.ok ? JSON.stringify(clean.json(parsed.value), null, 2) + '\n' : clean.text(text);
  return { name, content, ...(cut ? { note: `cut at ${MAX_RECORD_BYTES} bytes` } : parsed && !parsed.ok ? { note: 'not JSON: scrubbed as text' } : {}) };
}

/** The console lines of the run as it printed them, rebuilt from report.json by the same formatter. */
function consoleMember(report: Member): Member {
  const doc = (() => {
    try {
      return JSON.parse(report.content) as ReportDoc;
    } catch {
      return undefined;
    }
  })();
  if (!doc || !Array.isArray(doc.steps) || report.note) return note('console.txt', 'no readable report.json to rebuild the console lines from');
  const lines = doc.steps.flatMap((s) =>
    s.outcome ? [consoleLine({ event: 'step-end', step: s.name, outcome: s.outcome, summary: s.summary ?? s.title, startMs: s.startMs, durationMs: s.durationMs ?? 0 })?.text] : [`[ .... ] ${s.title}`],
  );
  if (doc.durationMs !== undefined && doc.state !== 'running') {
    lines.push(consoleLine({ event: 'finish', state: doc.state, durationMs: doc.durationMs, ...(doc.error ? { error: doc.error } : {}) })?.text);
  }
  if (doc.error) lines.push(`error ${doc.error.code}: ${doc.error.message}`, ...(doc.error.fix ? [`  fix: ${doc.error.fix}`] : []));
  return { name: 'console.txt', content: lines.filter((l) => l !== undefined).join('\n') + '\n' };
}

async function journalMember(system: System, clean: Scrubber): Promise<Member> {
  const { text, note: why } = await journalExcerpt(system, await findTool(system, 'journalctl'));
  return { name: 'journal.txt', content: clean.text(text), ...(why ? { note: why } : {}) };
}

async function manifestMember(root: string, manifest: NormalizedManifest | undefined, clean: Scrubber): Promise<Member> {
  const host = await joinRoot(root, MANIFEST_PATH);
  const bytes = await readCapped(host, MAX_MANIFEST_BYTES).catch((err: unknown) => err as Error);
  if (bytes instanceof Error) return note('manifest.json', `cannot read ${MANIFEST_PATH}: ${bytes.message}`);
  if (bytes === null) return note('manifest.json', `${MANIFEST_PATH} does not exist under ${root}`);
  const text = bytes.subarray(0, MAX_MANIFEST_BYTES).toString('utf8');
  return { name: 'manifest.json', content: clean.text(text), ...(manifest ? {} : { note: 'not a valid manifest: included as it is' }) };
}

function note(name: string, why: string): Member {
  return { name: `${name}.missing.txt`, content: why + '\n', note: why };
}
