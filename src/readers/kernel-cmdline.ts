// Splits a kernel command line into parameters the way the kernel does (double quotes group spaces).

export interface KernelParam {
  key: string;
  /** undefined for a bare flag such as "quiet" */
  value: string | undefined;
}

/**
 * Parameters before a lone "--" (what follows belongs to init). Like the kernel's next_arg(): a double
 * quote toggles quoting, whitespace outside quotes separates, and the quotes around the whole parameter
 * or around its value are dropped.
 */
export function parseKernelCmdline(text: string): KernelParam[] {
  const params: KernelParam[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text[i] as string)) i++;
    if (i >= text.length) break;
    let token = '';
    let quoted = false;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') quoted = !quoted;
      else if (!quoted && isSpace(c)) break;
      token += c;
      i++;
    }
    if (token === '--') break;
    params.push(splitParam(token));
  }
  return params;
}

/** The value of the last occurrence of `key` (the kernel lets later parameters override earlier ones). */
export function kernelParam(params: readonly KernelParam[], key: string): string | undefined {
  let found: string | undefined;
  for (const p of params) if (p.key === key && p.value !== undefined) found = p.value;
  return found;
}

function splitParam(token: string): KernelParam {
  let t = token;
  // A parameter quoted as a whole: "key=value with spaces".
  if (t.startsWith('"')) {
    t = t.slice(1);
    if (t.endsWith('"')) t = t.slice(0, -1);
  }
  const eq = t.indexOf('=');
  if (eq < 0) return { key: t.replaceAll('"', ''), value: undefined };
  const key = t.slice(0, eq);
  let value = t.slice(eq + 1);
  if (value.startsWith('"')) {
    value = value.slice(1);
    if (value.endsWith('"')) value = value.slice(0, -1);
  }
  return { key, value };
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}
