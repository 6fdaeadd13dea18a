// Finds where secrets stand in a text: every spelling of each, alone if short, and truncated quotes. Pure.

import { Automaton } from './automaton';
import { literalsOf, partsOf, spellingsOf, textSpellingsOf } from './spellings';

/** A secret (or spelling) at least this long is hidden wherever it appears, inside words too. */
const MIN_FREE = 4;
/** A run of a secret this long that starts or ends at a quote mark is hidden: an engine quoting a truncated value. */
const MIN_QUOTED_RUN = 6;
/** After every spelling is hidden, a run this long still shared with a secret means a part of it may remain. */
const RESIDUE_RUN = 4;
/** Positions kept per run for quoted-run matching: bounds the work on secrets that repeat themselves. */
const MAX_SEEDS = 8;
/** A quoted run is followed this far at most: engines quote a few characters (V8: 10 either side). */
const MAX_QUOTED_RUN = 64;
/**
 * Characters of spellings in the automaton, whose memory and build time grow with them: every spelling
 * of a few keys or certificates fits. Those beyond it are looked for one at a time.
 */
const AUTOMATON_BUDGET = 256 * 1024;
/** A secret longer than this (not a password, a key or a certificate) is looked for as text only, not encoded. */
const MAX_ENCODED = 64 * 1024;
/**
 * Characters of secrets indexed for runs (truncated quotes, residue). Beyond it, runs of the rest are not
 * found, so every engine message is taken to hold a part of a secret.
 */
const RUN_BUDGET = 64 * 1024;

/** ", ' and ` */
const QUOTES = new Set([0x22, 0x27, 0x60]);

export type Range = readonly [start: number, end: number];

export interface Matcher {
  /** No secret at all: every text is left as it is. */
  readonly empty: boolean;
  /** Ranges of whole spellings; short secrets only where they stand alone; `keys` leaves short secrets out. */
  whole(text: string, keys?: boolean): Range[];
  /** Ranges of runs of a secret that begin or end at a quote mark (an engine's truncated quote). */
  quoted(text: string): Range[];
  /** True when the text outside `hidden` holds a short secret, or a run of RESIDUE_RUN characters of one. */
  residue(text: string, hidden: readonly Range[]): boolean;
}

let last: { secrets: readonly unknown[]; matcher: Matcher } | undefined;

/**
 * The matcher for these secrets. The last one is kept, since every line printed asks for the same
 * secrets; they are compared one by one (the same strings: cheap), as a caller's list may grow in place.
 */
export function matcherFor(secrets: readonly unknown[]): Matcher {
  if (last && last.secrets.length === secrets.length && last.secrets.every((s, i) => s === secrets[i])) return last.matcher;
  const values = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))];
  last = { secrets: [...secrets], matcher: compile(values) };
  return last.matcher;
}

function compile(secrets: readonly string[]): Matcher {
  const alone = new Set<string>();
  const shortParts: string[] = [];
  const long = secrets.filter((s) => s.length >= MIN_FREE);
  for (const secret of secrets) {
    if (secret.length >= MIN_FREE) continue;
    // A few bytes of base64 or hex are a letter or two of any encoded text: only text spellings mean something.
    shortParts.push(secret);
    for (const s of textSpellingsOf(secret)) alone.add(s);
  }
  const { runs, grams, partial } = runIndex(long);
  const { automaton, rest } = freeSpellings(long);
  return {
    empty: secrets.length === 0,
    whole: (text, keys = false) => [...automaton.spans(text), ...occurrences(text, rest, false), ...(keys ? [] : occurrences(text, alone, true))],
    quoted: (text) => quotedRuns(text, runs),
    residue: (text, hidden) => partial || residue(text, hidden, grams, shortParts),
  };
}

/**
 * Runs of each secret as engines quote it (as is, or as JSON source), up to RUN_BUDGET: the lines of a
 * multi-line secret are runs of the whole already. `partial` when a secret did not fit.
 */
function runIndex(long: readonly string[]): { runs: Map<string, Array<readonly [string, number]>>; grams: Set<string>; partial: boolean } {
  const runs = new Map<string, Array<readonly [string, number]>>();
  const grams = new Set<string>();
  let used = 0;
  let partial = false;
  for (const secret of long) {
    for (const s of literalsOf(secret)) {
      if (used + s.length > RUN_BUDGET) {
        partial = true;
        continue;
      }
      used += s.length;
      for (let i = 0; i + RESIDUE_RUN <= s.length; i++) grams.add(s.slice(i, i + RESIDUE_RUN));
      for (let i = 0; i + MIN_QUOTED_RUN <= s.length; i++) seed(runs, s.slice(i, i + MIN_QUOTED_RUN), s, i);
    }
  }
  return { runs, grams, partial };
}

function seed(runs: Map<string, Array<readonly [string, number]>>, run: string, spelling: string, at: number): void {
  const list = runs.get(run);
  if (!list) runs.set(run, [[spelling, at]]);
  // The first and the last places: the longest match forwards starts early, backwards ends late.
  else if (list.length < MAX_SEEDS) list.push([spelling, at]);
  else list[MAX_SEEDS - 1] = [spelling, at];
}

/**
 * The spellings to hide wherever they appear, most telling first (each secret as text, then each line of a
 * multi-line one, then encoded), in one automaton up to its budget; those beyond it are left in `rest`.
 */
function freeSpellings(long: readonly string[]): { automaton: Automaton; rest: Set<string> } {
  const huge = (s: string) => s.length > MAX_ENCODED;
  const ordered = new Set<string>();
  for (const secret of long) for (const s of huge(secret) ? literalsOf(secret) : textSpellingsOf(secret)) ordered.add(s);
  for (const secret of long) for (const part of partsOf(secret).slice(1)) for (const s of huge(part) ? literalsOf(part) : textSpellingsOf(part)) ordered.add(s);
  for (const secret of long) if (!huge(secret)) for (const s of spellingsOf(secret)) ordered.add(s);
  const inside: string[] = [];
  const rest = new Set<string>();
  let used = 0;
  for (const s of ordered) {
    if (s.length < MIN_FREE) continue;
    if (used + s.length <= AUTOMATON_BUDGET) {
      inside.push(s);
      used += s.length;
    } else rest.add(s);
  }
  return { automaton: new Automaton(inside), rest };
}

function occurrences(text: string, spellings: ReadonlySet<string>, standAlone: boolean): Range[] {
  const found: Range[] = [];
  for (const s of spellings) {
    for (let i = text.indexOf(s); i !== -1; i = text.indexOf(s, i + 1)) {
      if (!standAlone || standsAlone(text, i, i + s.length)) found.push([i, i + s.length]);
    }
  }
  return found;
}

const WORD = /[\p{L}\p{N}_]/u;
const DIGIT = /[0-9]/;

/** Not part of a longer word or number: "pin=42" and "'42'" but not "420", "x42" or "0.42". */
function standsAlone(text: string, start: number, end: number): boolean {
  const before = text[start - 1];
  const after = text[end];
  if (before !== undefined && (WORD.test(before) || (before === '.' && DIGIT.test(text[start - 2] ?? '')))) return false;
  if (after !== undefined && (WORD.test(after) || (after === '.' && DIGIT.test(text[end + 1] ?? '')))) return false;
  return true;
}

function quotedRuns(text: string, runs: ReadonlyMap<string, ReadonlyArray<readonly [string, number]>>): Range[] {
  const found: Range[] = [];
  if (runs.size === 0) return found;
  for (let q = 0; q < text.length; q++) {
    if (!QUOTES.has(text.charCodeAt(q))) continue;
    const after = longestAfter(text, q + 1, runs);
    if (after >= MIN_QUOTED_RUN) found.push([q + 1, q + 1 + after]);
    const before = longestBefore(text, q, runs);
    if (before >= MIN_QUOTED_RUN) found.push([q - before, q]);
  }
  return found;
}

/** Length of the longest run of a spelling that `text` holds from `start` on. */
function longestAfter(text: string, start: number, runs: ReadonlyMap<string, ReadonlyArray<readonly [string, number]>>): number {
  let best = 0;
  for (const [spelling, at] of runs.get(text.slice(start, start + MIN_QUOTED_RUN)) ?? []) {
    let n = MIN_QUOTED_RUN;
    while (n < MAX_QUOTED_RUN && start + n < text.length && at + n < spelling.length && text[start + n] === spelling[at + n]) n++;
    best = Math.max(best, n);
  }
  return best;
}

/** Length of the longest run of a spelling that `text` holds up to `end`. */
function longestBefore(text: string, end: number, runs: ReadonlyMap<string, ReadonlyArray<readonly [string, number]>>): number {
  if (end < MIN_QUOTED_RUN) return 0;
  let best = 0;
  for (const [spelling, at] of runs.get(text.slice(end - MIN_QUOTED_RUN, end)) ?? []) {
    let n = MIN_QUOTED_RUN;
    while (n < MAX_QUOTED_RUN && end - n > 0 && at + MIN_QUOTED_RUN - n > 0 && text[end - n - 1] === spelling[at + MIN_QUOTED_RUN - n - 1]) n++;
    best = Math.max(best, n);
  }
  return best;
}

function residue(text: string, hidden: readonly Range[], grams: ReadonlySet<string>, shortParts: readonly string[]): boolean {
  for (const segment of outside(text, hidden)) {
    if (shortParts.some((p) => segment.includes(p))) return true;
    for (let i = 0; i + RESIDUE_RUN <= segment.length; i++) if (grams.has(segment.slice(i, i + RESIDUE_RUN))) return true;
  }
  return false;
}

/** The pieces of `text` that no range covers. */
function outside(text: string, ranges: readonly Range[]): string[] {
  const pieces: string[] = [];
  let at = 0;
  for (const [start, end] of merge(ranges)) {
    if (start > at) pieces.push(text.slice(at, start));
    at = Math.max(at, end);
  }
  if (at < text.length) pieces.push(text.slice(at));
  return pieces;
}

/** Sorted, overlapping ranges joined. */
export function merge(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const prev = out.at(-1);
    if (prev && start < prev[1]) prev[1] = Math.max(prev[1], end);
    else out.push([start, end]);
  }
  return out;
}
