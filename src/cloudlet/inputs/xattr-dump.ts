// The text format of `getfattr --dump` / `setfattr --restore`: extended attributes of many files in one go. No I/O.

/** Path (or name) bytes outside printable ASCII, and the backslash, as \ooo: what both tools read back. */
export function escapeDumpText(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    out += b > 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`;
  }
  return out;
}

export function unescapeDumpText(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && /^[0-7]{3}$/.test(text.slice(i + 1, i + 4))) {
      bytes.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else bytes.push(...Buffer.from(text[i] as string, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A restore script setting `attrs` on each host path; names in a stable order, values in hex. */
export function restoreDump(files: Iterable<readonly [string, ReadonlyMap<string, Buffer>]>): string {
  const parts: string[] = [];
  for (const [path, attrs] of files) {
    parts.push(`# file: ${escapeDumpText(path)}\n`);
    for (const name of [...attrs.keys()].sort()) {
      const value = attrs.get(name) as Buffer;
      parts.push(`${escapeDumpText(name)}=${value.length ? '0x' + value.toString('hex') : '""'}\n`);
    }
    parts.push('\n');
  }
  return parts.join('');
}

/** The attributes in `getfattr --dump -e hex` output, by host path. */
export function parseDump(text: string): Map<string, Map<string, Buffer>> {
  const files = new Map<string, Map<string, Buffer>>();
  let current: Map<string, Buffer> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      files.set(unescapeDumpText(line.slice('# file: '.length)), current);
      continue;
    }
    if (line === '' || line.startsWith('#') || !current) continue;
    const eq = line.indexOf('=');
    const name = unescapeDumpText(eq === -1 ? line : line.slice(0, eq));
    current.set(name, eq === -1 ? Buffer.alloc(0) : decodeValue(line.slice(eq + 1)));
  }
  return files;
}

function decodeValue(v: string): Buffer {
  if (v.startsWith('0x')) return Buffer.from(v.slice(2), 'hex');
  if (v.startsWith('0s')) return Buffer.from(v.slice(2), 'base64');
  if (v.startsWith('"') && v.endsWith('"')) return Buffer.from(unescapeDumpText(v.slice(1, -1)), 'utf8');
  return Buffer.from(v, 'utf8');
}
