// The ```sh blocks of a Markdown page, in order, with the line each starts on: what a reader would type.

export interface ShBlock {
  /** 1-based line of the opening fence */
  line: number;
  text: string;
}

/** Only blocks fenced as `sh` count; `console` and `text` blocks are illustrations, not commands to run. */
export function shBlocks(markdown: string): ShBlock[] {
  const blocks: ShBlock[] = [];
  const lines = markdown.split('\n');
  let open: { line: number; body: string[] } | undefined;
  lines.forEach((l, i) => {
    if (open) {
      if (/^```\s*$/.test(l)) {
        blocks.push({ line: open.line, text: open.body.join('\n') });
        open = undefined;
      } else {
        open.body.push(l);
      }
    } else if (/^```sh\s*$/.test(l)) {
      open = { line: i + 1, body: [] };
    }
  });
  if (open) throw new Error(`the sh block opened on line ${open.line} is never closed`);
  return blocks;
}

/**
 * One bash script that runs the blocks as one shell session would (variables carry over), stopping at
 * the first failing command, and says on stderr which block of the page is running.
 */
export function sessionScript(blocks: readonly ShBlock[], page: string): string {
  const parts = ['set -euo pipefail'];
  for (const b of blocks) {
    parts.push(`printf '\\n=== %s line %s\\n' ${quote(page)} ${b.line} >&2`, b.text);
  }
  return parts.join('\n') + '\n';
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
