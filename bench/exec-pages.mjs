// How much of an executable a cold start reads from disk: page-cache residency after one run, beside the pinned Node's own.
//
// Under QEMU TCG every 4 KiB page brought in from the virtio disk costs the guest kernel a fixed amount
// of emulated work, so the bytes a start reads, not its CPU time on the host, decide how long it takes
// there (docs/packaging.md, "Where the agent's initramfs time goes"). Each executable is copied to a
// fresh ext4 on a loop device, its pages are dropped, it runs once, and fincore counts what is resident:
// with Linux's default readahead (128 KiB, what a guest's virtio disk has) and with none (only the pages
// the process itself touched, and the fault-around of pages already read).

import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runOnce } from './measure.mjs';

const READAHEADS_KIB = [128, 0];

function must(argv) {
  const r = runOnce(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.code}): ${`${r.stderr}${r.stdout}`.trim()}`);
  return r.stdout;
}

/** Bytes of `file` in the page cache. */
function residentBytes(file) {
  return Number(must(['fincore', '--bytes', '--noheadings', '--output', 'RES', file]).trim());
}

/** Drops `file`'s pages from the page cache (GNU dd: nocache with count=0 advises the whole file). */
function drop(file) {
  must(['dd', `if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
}

/**
 * Rows of resident bytes per command and readahead. `cases` are { name, exe, args }: exe is copied to the
 * loop filesystem and run from there. Returns { rows }, or { skipped: reason } when fincore or a loop device
 * is not available.
 */
export function pageRows({ work, cases }) {
  if (runOnce(['sh', '-c', 'command -v fincore']).code !== 0) return { skipped: 'fincore is missing (Debian: apt-get install util-linux-extra)' };
  const img = join(work, 'pages.img');
  writeFileSync(img, '');
  must(['truncate', '-s', '512M', img]);
  must(['mkfs.ext4', '-q', '-F', img]);
  const loop = runOnce(['losetup', '-f', '--show', img]);
  if (loop.code !== 0) return { skipped: `no loop device (${loop.stderr.trim()})` };
  const device = loop.stdout.trim();
  const mnt = join(work, 'pages-mnt');
  mkdirSync(mnt, { recursive: true });
  const readahead = `/sys/block/${basename(device)}/queue/read_ahead_kb`;
  try {
    must(['mount', device, mnt]);
    try {
      const copies = new Map();
      for (const c of cases) {
        if (copies.has(c.exe)) continue;
        const copy = join(mnt, `${copies.size}-${basename(c.exe)}`);
        copyFileSync(c.exe, copy);
        chmodSync(copy, 0o755);
        copies.set(c.exe, copy);
      }
      must(['sync']);
      const rows = cases.map((c) => ({ name: c.name, resident: {} }));
      for (const kib of READAHEADS_KIB) {
        writeFileSync(readahead, `${kib}\n`);
        cases.forEach((c, i) => {
          const copy = copies.get(c.exe);
          drop(copy);
          const before = residentBytes(copy);
          const r = runOnce([copy, ...c.args]);
          rows[i].resident[kib] = r.code === 0 && before === 0 ? residentBytes(copy) : undefined;
          if (r.code !== 0) rows[i].note = `exit ${r.code}: ${`${r.stderr}${r.stdout}`.trim().split('\n')[0]}`;
          if (before !== 0) rows[i].note = `its pages could not be dropped (${before} bytes stayed)`;
        });
      }
      return { rows };
    } finally {
      runOnce(['umount', mnt]);
    }
  } finally {
    runOnce(['losetup', '-d', device]);
  }
}

export function showPages(result) {
  if (result.skipped) return `\nexecutable pages read by a cold start: not measured: ${result.skipped}\n`;
  const mb = (b) => (b === undefined ? '-' : `${(b / 1e6).toFixed(1)} MB (${Math.round(b / 4096)} pages)`);
  const lines = [
    '',
    'executable pages read by a cold start (page cache of the executable after one run, from a fresh ext4 on a loop device)',
    ['command', ...READAHEADS_KIB.map((k) => `readahead ${k} KiB`), 'note'].join(' | '),
    ...result.rows.map((r) => [r.name, ...READAHEADS_KIB.map((k) => mb(r.resident[k])), r.note ?? ''].join(' | ')),
  ];
  return `${lines.join('\n')}\n`;
}
