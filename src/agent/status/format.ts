// Small formatting rules shared by the status files, analyze and the timeline picture.

/** Timings are kept to a tenth of a millisecond: finer digits are noise and bloat the files. */
export function tenths(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Long names keep their end, which is the part that tells paths apart. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
