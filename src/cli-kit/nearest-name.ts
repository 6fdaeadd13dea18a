// The known name a mistyped one most likely meant ("valdiate" -> "validate"), for did-you-mean hints.

/**
 * The candidate closest to `typed` by edit distance (a swap of two neighbouring letters counts as one
 * edit, case and "-"/"_" differences as none), or undefined when none is close enough to be a
 * plausible typo: at most a third of the longer name's letters differ, and always at least one.
 */
export function nearestName(typed: string, candidates: readonly string[]): string | undefined {
  const key = fold(typed);
  if (key === '') return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const other = fold(name);
    // A unique beginning ("--ro" for "--root") is what a user who stopped typing meant.
    const distance = other.startsWith(key) && key.length >= 2 ? 0.5 : editDistance(key, other);
    const limit = Math.max(1, Math.floor(Math.max(key.length, other.length) / 3));
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** ` (did you mean "X"?)` or nothing: the tail of an "unknown ..." message. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const near = nearestName(typed, candidates);
  return near === undefined ? '' : `; did you mean "${near}"?`;
}

function fold(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  // Typed names are short; a long one is no typo of a command or option name.
  if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return Infinity;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const up = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = d;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
