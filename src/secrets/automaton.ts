// Finds every place where any of many strings occurs in a text, in one pass (Aho-Corasick). Pure.

export type Span = readonly [start: number, end: number];

/**
 * Built once for a set of strings, then scans any text in time linear in its length, whatever the
 * number of strings or how they repeat (a secret of one character repeated, a text of that character).
 */
export class Automaton {
  /** index + 1 of each UTF-16 code unit in the strings' own alphabet; 0: in no string, so no match goes on through it */
  private readonly letter = new Int32Array(0x10000);
  private readonly radix: number;
  /** The root's children by letter: a text that holds no secret spends most of its time there. */
  private readonly rootChild: Int32Array;
  /** Most nodes of long strings have one child: it is kept in arrays, and only further children in a map. */
  private readonly firstLetter: Int32Array;
  private readonly firstChild: Int32Array;
  /** further children, keyed by node * radix + letter (small keys: they hash fast) */
  private readonly more = new Map<number, number>();
  private readonly fail: Int32Array;
  /** length of the longest string that ends at each node (directly or through its failure links) */
  private readonly longest: Int32Array;
  readonly size: number;

  constructor(strings: readonly string[]) {
    const total = strings.reduce((n, s) => n + s.length, 0) + 1;
    let letters = 0;
    for (const s of strings) for (let i = 0; i < s.length; i++) if (this.letter[s.charCodeAt(i)] === 0) this.letter[s.charCodeAt(i)] = ++letters;
    this.radix = letters + 1;
    this.rootChild = new Int32Array(this.radix);
    this.firstLetter = new Int32Array(total);
    this.firstChild = new Int32Array(total);
    this.fail = new Int32Array(total);
    this.longest = new Int32Array(total);
    const parent = new Int32Array(total);
    const letterOf = new Int32Array(total);
    const depth = new Int32Array(total);
    let nodes = 1;
    for (const s of strings) {
      let at = 0;
      for (let i = 0; i < s.length; i++) {
        const c = this.letter[s.charCodeAt(i)] as number;
        let to = this.child(at, c);
        if (to === 0) {
          to = nodes++;
          if (at === 0) this.rootChild[c] = to;
          else if (this.firstLetter[at] === 0) {
            this.firstLetter[at] = c;
            this.firstChild[at] = to;
          } else this.more.set(at * this.radix + c, to);
          parent[to] = at;
          letterOf[to] = c;
          depth[to] = i + 1;
        }
        at = to;
      }
      this.longest[at] = Math.max(this.longest[at] as number, s.length);
    }
    this.size = nodes;
    // Failure links in order of depth: a node's link is shallower than itself, so it is ready when needed.
    for (const v of byDepth(depth, nodes)) {
      const u = parent[v] as number;
      let link = 0;
      if (u !== 0) {
        const c = letterOf[v] as number;
        let f = this.fail[u] as number;
        let t = this.child(f, c);
        while (t === 0 && f !== 0) {
          f = this.fail[f] as number;
          t = this.child(f, c);
        }
        link = t;
      }
      this.fail[v] = link;
      this.longest[v] = Math.max(this.longest[v] as number, this.longest[link] as number);
    }
  }

  /** The child of `node` by `letter`; 0 (the root, nobody's child) when there is none. */
  private child(node: number, letter: number): number {
    if (node === 0) return this.rootChild[letter] as number;
    if (this.firstLetter[node] === letter) return this.firstChild[node] as number;
    return this.more.get(node * this.radix + letter) ?? 0;
  }

  /** Where the strings occur, as sorted spans with overlapping ones joined. */
  spans(text: string): Span[] {
    const out: Array<[number, number]> = [];
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = this.letter[text.charCodeAt(i)] as number;
      if (c === 0) {
        state = 0;
        continue;
      }
      let to = this.child(state, c);
      while (to === 0 && state !== 0) {
        state = this.fail[state] as number;
        to = this.child(state, c);
      }
      state = to;
      const len = this.longest[state] as number;
      if (len === 0) continue;
      // Ends only grow: joining with the spans it overlaps keeps `out` sorted and disjoint.
      let start = i + 1 - len;
      while (out.length && (out.at(-1) as [number, number])[1] > start) start = Math.min(start, (out.pop() as [number, number])[0]);
      out.push([start, i + 1]);
    }
    return out;
  }
}

/** Nodes 1..count-1 sorted by depth (a counting sort: depths are small integers). */
function byDepth(depth: Int32Array, count: number): Int32Array {
  let max = 0;
  for (let v = 1; v < count; v++) max = Math.max(max, depth[v] as number);
  // First the number of nodes at each depth, then where each depth's nodes start in the order.
  const slot = new Int32Array(max + 1);
  for (let v = 1; v < count; v++) slot[depth[v] as number] = (slot[depth[v] as number] as number) + 1;
  let at = 0;
  for (let d = 0; d <= max; d++) {
    const n = slot[d] as number;
    slot[d] = at;
    at += n;
  }
  const order = new Int32Array(count - 1);
  for (let v = 1; v < count; v++) {
    const d = depth[v] as number;
    order[slot[d] as number] = v;
    slot[d] = (slot[d] as number) + 1;
  }
  return order;
}
