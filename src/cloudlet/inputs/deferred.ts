// What Node cannot do itself, batched: device nodes and fifos (mknod) and extended attributes (setfattr).

import { chmodSync, lchownSync, lstatSync, lutimesSync } from 'node:fs';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { restoreDump } from './xattr-dump';

export interface NodeSpec {
  host: string;
  type: 'char' | 'block' | 'fifo';
  major: number;
  minor: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
}

/** Attribute text held before it is flushed, so memory stays bounded whatever the archive holds. */
const MAX_PENDING_XATTR_BYTES = 4 * 1024 * 1024;

/**
 * Pending nodes and attributes keyed by the relative path they belong to. Whoever changes a path that is
 * still pending flushes first, so a node exists before anything links to it and attributes land on the
 * file they were read with (set last: chown clears security.capability).
 */
export class Deferred {
  private readonly nodes = new Map<string, NodeSpec>();
  private readonly xattrs = new Map<string, { host: string; attrs: ReadonlyMap<string, Buffer> }>();
  private xattrBytes = 0;

  constructor(private readonly system: System) {}

  addNode(path: string, spec: NodeSpec): void {
    this.nodes.set(path, spec);
  }

  async addXattrs(path: string, host: string, attrs: ReadonlyMap<string, Buffer>): Promise<void> {
    this.xattrs.set(path, { host, attrs });
    for (const [k, v] of attrs) this.xattrBytes += k.length + 2 * v.length + host.length;
    if (this.xattrBytes > MAX_PENDING_XATTR_BYTES) await this.flush();
  }

  /** Something is pending for `path` itself, or (with `below`) anywhere under it. */
  touches(path: string, below = false): boolean {
    if (this.nodes.has(path) || this.xattrs.has(path)) return true;
    if (!below) return false;
    const prefix = path === '' ? '' : `${path}/`;
    for (const key of [...this.nodes.keys(), ...this.xattrs.keys()]) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** A node still to be made is a parent of `path` (the member would otherwise find a missing directory there). */
  nodeAbove(path: string): boolean {
    for (const key of this.nodes.keys()) if (path.startsWith(`${key}/`)) return true;
    return false;
  }

  async flush(): Promise<void> {
    if (this.nodes.size) await this.makeNodes([...this.nodes.values()]);
    this.nodes.clear();
    if (this.xattrs.size) {
      const dump = restoreDump([...this.xattrs.values()].map((x) => [x.host, x.attrs] as const));
      this.xattrs.clear();
      this.xattrBytes = 0;
      await this.run('setfattr', ['--no-dereference', '--restore=-'], dump, 'attr');
    }
  }

  private async makeNodes(nodes: NodeSpec[]): Promise<void> {
    const fifos = nodes.filter((n) => n.type === 'fifo');
    const devices = nodes.filter((n) => n.type !== 'fifo');
    // xargs runs mknod (coreutils) once per node but saves a process launch per node on our side.
    if (fifos.length) await this.run('xargs', ['-0', '-r', '-n', '2', 'mknod', '--'], nul(fifos.flatMap((n) => [n.host, 'p'])), 'coreutils');
    if (devices.length) {
      const args = devices.flatMap((n) => [n.host, n.type === 'char' ? 'c' : 'b', String(n.major), String(n.minor)]);
      await this.run('xargs', ['-0', '-r', '-n', '4', 'mknod', '--'], nul(args), 'coreutils');
    }
    for (const n of nodes) {
      const st = lstatSync(n.host);
      if (!(st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice())) {
        throw new AgentError('E_BAKE_TOOL', `mknod did not make ${n.host}`, { where: n.host, fix: 'check that the staging directory is on a filesystem that allows device nodes (not mounted nodev)' });
      }
      // Owner before mode (chown clears setuid); a node is never opened, and lstat above saw no symlink.
      lchownSync(n.host, n.uid, n.gid);
      chmodSync(n.host, n.mode);
      lutimesSync(n.host, n.mtime, n.mtime);
    }
  }

  private async run(file: string, args: string[], input: string | Buffer, pkg: string): Promise<void> {
    let r;
    try {
      r = await this.system.exec(file, args, { input });
    } catch (err) {
      throw new AgentError('E_BAKE_TOOL', `cannot run ${file}`, { where: file, fix: `install the Debian package ${pkg}`, cause: err });
    }
    if (r.code !== 0) {
      const detail = r.stderr.trim().split('\n').slice(0, 3).join('; ');
      throw new AgentError('E_BAKE_TOOL', `${file} ${args.includes('mknod') ? 'mknod ' : ''}failed: ${detail || `exit ${r.code}`}`, {
        where: file,
        fix: 'run bake as root on a filesystem that keeps device nodes and extended attributes (ext4, xfs, tmpfs)',
      });
    }
  }
}

function nul(args: string[]): Buffer {
  return Buffer.from(args.map((a) => `${a}\0`).join(''), 'utf8');
}
