// Checks of a parsed manifest that JSON Schema cannot express: paths, overlaps, formats, ranges, names.

import type { Problem } from '../errors';
import { imagePathProblem, isWithin, normalizeImagePath } from '../system/image-path';
import { isKnownPlatform, KNOWN_PLATFORMS } from './platform-names';
import { didYouMean } from '../cli-kit/nearest-name';
import { HYPERVISOR_NAMES, isKnownHypervisor } from './requirement-names';
import { isOctalMode, isOwner, parseMemorySize, tmpfsSizeProblem } from './value-formats';

// semver loads when a kernel range is there to check: initialising it costs milliseconds on every
// start (tens under emulation). Only the one function needed, not the whole package.
const validRange = (range: string): string | null => (require('semver/ranges/valid') as typeof import('semver/ranges/valid'))(range);

type Kind = 'templates' | 'persistent' | 'volatile';

interface Item {
  kind: Kind;
  /** JSON pointer to the path string (the item itself for the short form) */
  at: string;
  path: string;
}

type Obj = Record<string, unknown>;

const ENTRYPOINTS = ['kernel', 'init', 'chroot'] as const;

/**
 * Every semantic problem of `data`, each with a JSON pointer. Runs on any parsed JSON, valid against
 * the schema or not, skipping what has the wrong shape (the schema reports that), so that one run
 * reports everything.
 */
export function semanticProblems(data: unknown): Problem[] {
  if (!isObj(data)) return [];
  const problems: Problem[] = [];
  const items = [...listItems(data, 'templates', problems), ...listItems(data, 'persistent', problems), ...listItems(data, 'volatile', problems)];
  checkDuplicates(items, problems);
  checkOverlaps(items, problems);
  checkPlatforms(data.platforms, problems);
  checkEndpoints(data.datasources, problems);
  checkEntrypoints(data.entrypoints, problems);
  return problems;
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An image path's problem, reported at `at`; the normalized path when it is fine. */
function checkPath(value: unknown, at: string, problems: Problem[]): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const problem = imagePathProblem(value);
  if (problem) {
    problems.push({ path: at, message: problem });
    return undefined;
  }
  return normalizeImagePath(value);
}

function listItems(data: Obj, kind: Kind, problems: Problem[]): Item[] {
  const list = data[kind];
  if (!Array.isArray(list)) return [];
  const items: Item[] = [];
  list.forEach((entry: unknown, i) => {
    const base = `/${kind}/${i}`;
    const short = typeof entry === 'string';
    const at = short ? base : `${base}/path`;
    const path = checkPath(short ? entry : isObj(entry) ? entry.path : undefined, at, problems);
    if (path === '/') problems.push({ path: at, message: `"/" cannot be ${kind === 'templates' ? 'a template' : kind}: name a directory or file below it` });
    else if (path && kind === 'templates' && isWithin('/.cloudlet', path)) {
      // Rendered from user data, it would let user data rewrite the manifest or the pristine copies of the next boot.
      problems.push({ path: at, message: `"${path}" lies inside /.cloudlet, where the agent keeps the manifest and the pristine templates: a template may not be rendered there` });
    } else if (path && kind !== 'templates' && (isWithin('/.cloudlet', path) || isWithin(path, '/.cloudlet'))) {
      problems.push({ path: at, message: `"${path}" would hide or live inside /.cloudlet, where the agent keeps the manifest, the pristine templates and the volume` });
    } else if (path) items.push({ kind, at, path });
    if (isObj(entry)) checkItemValues(entry, base, kind, problems);
  });
  return items;
}

function checkItemValues(entry: Obj, base: string, kind: Kind, problems: Problem[]): void {
  const mode = str(entry.mode);
  if (mode !== undefined && !isOctalMode(mode)) {
    problems.push({ path: `${base}/mode`, message: `"${mode}" is not an octal mode: use 3 or 4 octal digits as a string, e.g. "0640"` });
  }
  const owner = str(entry.owner);
  if (owner !== undefined && !isOwner(owner)) {
    problems.push({ path: `${base}/owner`, message: `"${owner}" is not an owner: use "user" or "user:group", names or numeric ids` });
  }
  const size = str(entry.size);
  if (kind === 'volatile' && size !== undefined) {
    const problem = tmpfsSizeProblem(size);
    if (problem) problems.push({ path: `${base}/size`, message: problem });
  }
}

function checkDuplicates(items: Item[], problems: Problem[]): void {
  const first = new Map<string, Item>();
  for (const item of items) {
    const key = `${item.kind}\0${item.path}`;
    const earlier = first.get(key);
    if (earlier) problems.push({ path: item.at, message: `"${item.path}" is listed twice in ${item.kind} (also ${earlier.at})` });
    else first.set(key, item);
  }
}

function checkOverlaps(items: Item[], problems: Problem[]): void {
  const of = (kind: Kind) => items.filter((i) => i.kind === kind);
  const persistent = of('persistent');
  const volatile = of('volatile');
  for (const v of volatile) {
    for (const p of persistent) {
      if (p.path === v.path) {
        problems.push({ path: v.at, message: `"${v.path}" is also persistent (${p.at}): a path is either kept or thrown away at boot` });
      } else if (isWithin(p.path, v.path)) {
        problems.push({ path: v.at, message: `"${v.path}" lies inside persistent "${p.path}" (${p.at}): persistent and volatile paths may not nest` });
      } else if (isWithin(v.path, p.path)) {
        problems.push({ path: p.at, message: `"${p.path}" lies inside volatile "${v.path}" (${v.at}): persistent and volatile paths may not nest` });
      }
    }
  }
  for (const t of of('templates')) {
    const hidden = volatile.find((v) => isWithin(v.path, t.path));
    if (hidden) {
      problems.push({
        path: t.at,
        message: `"${t.path}" lies inside volatile "${hidden.path}" (${hidden.at}): the tmpfs mounted there hides the template, so it would be lost`,
      });
    }
    const kept = persistent.find((p) => p.path === t.path);
    if (kept) {
      problems.push({ path: t.at, message: `"${t.path}" is also persistent (${kept.at}): a file is either rendered at boot or kept as it is` });
    }
  }
}

/** The message for an unknown platform: the nearest known name when one is close, and all of them. */
function unknownPlatform(name: string): string {
  return `unknown platform "${name}"; known: ${KNOWN_PLATFORMS.join(', ')}${didYouMean(name, KNOWN_PLATFORMS)}`;
}

function checkPlatforms(platforms: unknown, problems: Problem[]): void {
  if (!Array.isArray(platforms)) return;
  const seen = new Map<string, number>();
  platforms.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || name === '') return;
    if (!isKnownPlatform(name)) {
      problems.push({ path: `/platforms/${i}`, message: unknownPlatform(name) });
      return;
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) problems.push({ path: `/platforms/${i}`, message: `"${name}" is listed twice (also /platforms/${earlier})` });
    else seen.set(name, i);
  });
}

function checkEndpoints(datasources: unknown, problems: Problem[]): void {
  if (!isObj(datasources) || !isObj(datasources.endpoints)) return;
  for (const [name, url] of Object.entries(datasources.endpoints)) {
    const at = `/datasources/endpoints/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!isKnownPlatform(name)) problems.push({ path: at, message: unknownPlatform(name) });
    if (typeof url !== 'string' || url === '') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      problems.push({ path: at, message: `"${url}" is not an http:// or https:// URL` });
    }
  }
}

function checkEntrypoints(entrypoints: unknown, problems: Problem[]): void {
  if (!isObj(entrypoints)) return;
  const present = ENTRYPOINTS.filter((name) => entrypoints[name] !== undefined);
  if (present.length === 0) {
    problems.push({ path: '/entrypoints', message: 'names no entry point: give at least one of kernel, init, chroot' });
  }
  for (const name of present) {
    const ep = entrypoints[name];
    if (!isObj(ep)) continue;
    const base = `/entrypoints/${name}`;
    checkPath(ep.path, `${base}/path`, problems);
    checkPath(ep.initrd, `${base}/initrd`, problems);
    checkPath(ep.workdir, `${base}/workdir`, problems);
    if (name === 'chroot') checkCommand(ep.command, `${base}/command`, problems);
    if (isObj(ep.requires)) checkRequires(ep.requires, `${base}/requires`, problems);
  }
}

function checkCommand(command: unknown, at: string, problems: Problem[]): void {
  if (!Array.isArray(command)) return;
  if (command.length === 0) {
    problems.push({ path: at, message: 'is empty: name the program to run, e.g. ["/usr/bin/app", "--serve"]' });
  } else if (command[0] === '') {
    problems.push({ path: `${at}/0`, message: 'the program to run is an empty string' });
  }
}

function checkRequires(req: Obj, at: string, problems: Problem[]): void {
  const kernel = str(req.kernel);
  if (kernel !== undefined && kernel !== '' && validRange(kernel) === null) {
    problems.push({ path: `${at}/kernel`, message: `"${kernel}" is not a semver range: use e.g. ">=5.10", "^6.1.0" or ">=4.19 <7"` });
  }
  const memory = str(req.memory);
  if (memory !== undefined && parseMemorySize(memory) === undefined) {
    problems.push({ path: `${at}/memory`, message: `"${memory}" is not a memory size: use bytes with an optional K, M, G or T, e.g. "512M"` });
  }
  if (Array.isArray(req.files)) req.files.forEach((f: unknown, i) => checkPath(f, `${at}/files/${i}`, problems));
  checkHypervisors(req.hypervisor, `${at}/hypervisor`, problems);
}

/** A hypervisor the agent never detects could only ever fail (or never matter): a typo, as a rule. */
function checkHypervisors(value: unknown, at: string, problems: Problem[]): void {
  const names: Array<[string, unknown]> = typeof value === 'string' ? [[at, value]] : Array.isArray(value) ? value.map((v: unknown, i): [string, unknown] => [`${at}/${i}`, v]) : [];
  for (const [path, name] of names) {
    if (typeof name !== 'string' || name === '' || isKnownHypervisor(name)) continue;
    problems.push({ path, message: `unknown hypervisor "${name}"; known: ${HYPERVISOR_NAMES.join(', ')}` });
  }
}
