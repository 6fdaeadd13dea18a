// A strict little XML well-formedness check for tests: balanced tags, quoted unique attributes, valid entities.

const NAME = '[A-Za-z_:][-A-Za-z0-9_:.]*';
const ATTR = new RegExp(`\\s+(${NAME})\\s*=\\s*("[^"<]*"|'[^'<]*')`, 'y');
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;

/** The first problem found, or undefined for a well-formed document with one root element. */
export function xmlProblem(xml: string): string | undefined {
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const text = (upTo: number): string | undefined => {
    for (let j = i; j < upTo; j++) {
      const c = xml[j];
      if (c === '&') {
        ENTITY.lastIndex = j;
        if (!ENTITY.test(xml)) return `bad entity at ${j}`;
      } else if (c === '>') return `raw ">" at ${j}`;
      else if (c !== undefined && c.trim() !== '' && stack.length === 0) return `text outside the root element at ${j}`;
    }
    return undefined;
  };
  if (xml.startsWith('<?xml')) i = xml.indexOf('?>') + 2;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const problem = text(lt === -1 ? xml.length : lt);
    if (problem) return problem;
    if (lt === -1) break;
    i = lt;
    const close = new RegExp(`</(${NAME})\\s*>`, 'y');
    close.lastIndex = i;
    const c = close.exec(xml);
    if (c) {
      if (stack.pop() !== c[1]) return `unbalanced </${c[1]}> at ${i}`;
      i = close.lastIndex;
      continue;
    }
    const open = new RegExp(`<(${NAME})`, 'y');
    open.lastIndex = i;
    const o = open.exec(xml);
    if (!o) return `bad markup at ${i}`;
    i = open.lastIndex;
    const seen = new Set<string>();
    for (;;) {
      ATTR.lastIndex = i;
      const a = ATTR.exec(xml);
      if (!a) break;
      if (seen.has(a[1] as string)) return `duplicate attribute ${a[1]} at ${i}`;
      seen.add(a[1] as string);
      ENTITY.lastIndex = 0;
      const value = (a[2] as string).slice(1, -1);
      for (let k = value.indexOf('&'); k !== -1; k = value.indexOf('&', k + 1)) {
        ENTITY.lastIndex = k;
        if (!ENTITY.test(value)) return `bad entity in attribute ${a[1]} at ${i}`;
      }
      i = ATTR.lastIndex;
    }
    const end = /\s*(\/?)>/y;
    end.lastIndex = i;
    const e = end.exec(xml);
    if (!e) return `unterminated <${o[1]}> at ${i}`;
    i = end.lastIndex;
    if (stack.length === 0) roots++;
    if (e[1] !== '/') stack.push(o[1] as string);
  }
  if (stack.length) return `unclosed <${stack.at(-1)}>`;
  if (roots !== 1) return `${roots} root elements`;
  return undefined;
}
