// Counts a staged tree for the disk planner: inodes and the bytes of regular files (hard links once).

import { lstatSync, readdirSync } from 'node:fs';

export interface TreeStats {
  /** Inodes: directories, files, links, nodes, the root included; hard links count once. */
  files: number;
  /** Bytes of regular file contents; hard links count once. */
  bytes: number;
}

export function treeStats(root: string): TreeStats {
  const seen = new Set<string>();
  let files = 0;
  let bytes = 0;
  const stack = [root];
  while (stack.length) {
    const path = stack.pop() as string;
    const st = lstatSync(path);
    if (st.nlink > 1 && !st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    files++;
    if (st.isFile()) bytes += st.size;
    if (st.isDirectory()) for (const name of readdirSync(path)) stack.push(`${path}/${name}`);
  }
  return { files, bytes };
}
