// Applies planned members to the staging tree without ever following a symlink or leaving the root.

import { closeSync, constants, fchmodSync, fchownSync, futimesSync, linkSync, lchownSync, lstatSync, lutimesSync, mkdirSync, openSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { Deferred } from './deferred';
import { LayerPaths, type MemberPlan, type TreeView, lowerPaths, opaquePaths } from './layer-plan';
import type { TarEntry } from './tar-entry';
import type { TarMember } from './tar-reader';
import { parentOf } from './member-path';
import { badInput, escapes, memberWhere } from './input-errors';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_DIRECTORY } = constants;
const NEW_FILE = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
const OPEN_DIR = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

/**
 * One staging tree being filled, archive after archive (layer after layer). Only this process writes in it
 * (its parent is private, mode 0700), so what it has checked stays true until it changes it itself: the
 * directories it has seen to be real are cached, and forgotten when it removes them. Synchronous calls
 * on purpose: thousands of small files go faster without a thread-pool round trip per call.
 */
export class Extractor {
  /** Relative paths known to be real directories ("" is the root). */
  private readonly dirs = new Set<string>(['']);
  /** Directories made as parents of a member but never named by one; they get `newestMtime` at the end. */
  private readonly implicit = new Set<string>(['']);
  /** Directory mtimes, set last: adding entries changes them. */
  private readonly dirTimes = new Map<string, number>();
  private readonly deferred: Deferred;
  private layer = new LayerPaths();
  private archive = '';
  /** Newest mtime of any member applied. */
  newestMtime = 0;

  constructor(
    readonly root: string,
    system: System,
  ) {
    this.deferred = new Deferred(system);
  }

  /** Starts an archive or layer; `archive` names it in errors. */
  begin(archive: string): void {
    this.archive = archive;
    this.layer = new LayerPaths();
  }

  async apply(member: TarMember, plan: MemberPlan): Promise<void> {
    const where = memberWhere(this.archive, member.entry.path);
    try {
      await this.applyMember(member, plan, where);
    } catch (err) {
      if (err instanceof AgentError || typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
      throw new AgentError('E_IO', `cannot unpack member "${member.entry.path}" of ${this.archive}: ${(err as Error).message}`, {
        where,
        fix: (err as NodeJS.ErrnoException).code === 'EPERM' ? 'run bake as root: owners, device nodes and capabilities need it' : 'check the free space and inodes of the staging directory',
        cause: err,
      });
    }
  }

  private async applyMember(member: TarMember, plan: MemberPlan, where: string): Promise<void> {
    const { entry } = member;
    if (plan.kind === 'skip') return;
    this.newestMtime = Math.max(this.newestMtime, entry.mtime);
    if (plan.kind === 'root') return this.setDir('', entry);
    if (plan.kind === 'whiteout') return this.prune(lowerPaths(plan.path, this.tree(parentOf(plan.path), entry.path, where), this.layer));
    if (plan.kind === 'opaque') {
      this.layer.add(plan.dir);
      return this.prune(opaquePaths(plan.dir, this.tree(plan.dir, entry.path, where), this.layer));
    }
    const { path } = plan;
    if (plan.link === path) return;
    if (this.deferred.nodeAbove(path)) await this.deferred.flush();
    this.ensureParents(parentOf(path), entry.path, where);
    if (this.deferred.touches(path)) await this.deferred.flush();
    const existing = this.lstat(path);
    if (existing?.isDirectory() && entry.type === 'dir') {
      this.setDir(path, entry);
    } else {
      if (existing) await this.remove(path, existing.isDirectory());
      await this.create(path, member, plan.link, where);
    }
    if (entry.xattrs.size && entry.type !== 'hardlink') await this.deferred.addXattrs(path, this.host(path), entry.xattrs);
    this.layer.add(path);
  }

  /** Ends an archive or layer: pending nodes and attributes are made before the next one can replace them. */
  async end(): Promise<void> {
    await this.deferred.flush();
  }

  /** Sets every directory's mtime; directories no member named get the newest mtime of the input. */
  async finish(): Promise<void> {
    await this.deferred.flush();
    for (const dir of this.implicit) if (!this.dirTimes.has(dir)) this.dirTimes.set(dir, this.newestMtime);
    for (const [dir, mtime] of this.dirTimes) {
      const fd = openSync(this.host(dir), OPEN_DIR);
      try {
        futimesSync(fd, mtime, mtime);
      } finally {
        closeSync(fd);
      }
    }
  }

  private async create(path: string, member: TarMember, link: string | undefined, where: string): Promise<void> {
    const { entry } = member;
    const host = this.host(path);
    switch (entry.type) {
      case 'file':
        return writeFile(host, member);
      case 'dir':
        mkdirSync(host, 0o700);
        this.dirs.add(path);
        return this.setDir(path, entry);
      case 'symlink':
        symlinkSync(entry.linkname, host);
        lchownSync(host, entry.uid, entry.gid);
        lutimesSync(host, entry.mtime, entry.mtime);
        return;
      case 'hardlink':
        return this.hardlink(path, link as string, where);
      case 'char':
      case 'block':
      case 'fifo':
        this.deferred.addNode(path, { host, type: entry.type, major: entry.devmajor, minor: entry.devminor, mode: entry.mode, uid: entry.uid, gid: entry.gid, mtime: entry.mtime });
        return;
    }
  }

  /** A hard link may only point at something already in the tree, reached through real directories. */
  private async hardlink(path: string, target: string, where: string): Promise<void> {
    const refuse = (why: string) => escapes(`refusing hard link "${path}" -> "${target}" of ${this.archive}: ${why}`, where);
    const state = this.walkParents(parentOf(target), false);
    if (state !== 'ok') throw refuse(state.missing ? 'the target is not in the image (links may only point at earlier members)' : `"${state.at}" on the way is ${state.symlink ? 'a symlink' : 'not a directory'}`);
    if (this.deferred.touches(target)) await this.deferred.flush();
    const st = this.lstat(target);
    if (!st) throw refuse('the target is not in the image (links may only point at earlier members)');
    if (st.isDirectory()) throw badInput(`hard link "${path}" points at the directory "${target}"`, where, 'make the archive again; directories cannot be hard-linked');
    linkSync(this.host(target), this.host(path));
  }

  private setDir(path: string, entry: TarEntry): void {
    const fd = openSync(this.host(path), OPEN_DIR);
    try {
      // Owner before mode: chown clears setgid.
      fchownSync(fd, entry.uid, entry.gid);
      fchmodSync(fd, entry.mode);
    } finally {
      closeSync(fd);
    }
    this.dirTimes.set(path, entry.mtime);
    this.implicit.delete(path);
  }

  /** Makes missing parents (0755, root) and refuses a parent that is a symlink or not a directory. */
  private ensureParents(dir: string, name: string, where: string): void {
    const state = this.walkParents(dir, true);
    if (state === 'ok') return;
    if (state.symlink) {
      throw escapes(`refusing member "${name}" of ${this.archive}: its parent "${state.at}" is a symlink, and writing through it could leave the image`, where);
    }
    throw badInput(`the parent "${state.at}" of member "${name}" is not a directory`, where, 'make the archive again; a file and a directory share a name');
  }

  /**
   * Checks that each component of `dir` is a real directory, making missing ones when `create` is set;
   * otherwise says where the walk stopped: at a symlink, at something else, or at a missing component.
   */
  private walkParents(dir: string, create: boolean): 'ok' | { at: string; symlink: boolean; missing: boolean } {
    if (this.dirs.has(dir)) return 'ok';
    let rel = '';
    for (const part of dir.split('/')) {
      rel = rel ? `${rel}/${part}` : part;
      if (this.dirs.has(rel)) continue;
      const st = this.lstat(rel);
      if (!st && create) this.makeImplicitDir(rel);
      else if (!st) return { at: rel, symlink: false, missing: true };
      else if (!st.isDirectory()) return { at: rel, symlink: st.isSymbolicLink(), missing: false };
      this.dirs.add(rel);
    }
    return 'ok';
  }

  private makeImplicitDir(path: string): void {
    mkdirSync(this.host(path), 0o700);
    const fd = openSync(this.host(path), OPEN_DIR);
    try {
      fchmodSync(fd, 0o755);
    } finally {
      closeSync(fd);
    }
    this.implicit.add(path);
  }

  /**
   * The tree as pruning sees it, once `dir` (where a whiteout acts) is known to be reached through real
   * directories only; a whiteout below a missing directory sees an empty tree and removes nothing.
   */
  private tree(dir: string, name: string, where: string): TreeView {
    const state = this.walkParents(dir, false);
    if (state !== 'ok' && !state.missing) {
      throw escapes(`refusing whiteout "${name}" of ${this.archive}: "${state.at}" is ${state.symlink ? 'a symlink' : 'not a directory'}, so removing below it could leave the image`, where);
    }
    if (state !== 'ok') return { exists: () => false, children: () => [] };
    return {
      exists: (p) => this.lstat(p) !== undefined,
      children: (p) => (this.lstat(p)?.isDirectory() ? readdirSync(this.host(p)) : []),
    };
  }

  private async prune(paths: string[]): Promise<void> {
    for (const p of paths) await this.remove(p, this.lstat(p)?.isDirectory() ?? false);
  }

  private async remove(path: string, isDir: boolean): Promise<void> {
    if (this.deferred.touches(path, isDir)) await this.deferred.flush();
    const host = this.host(path);
    if (!isDir) return unlinkSync(host);
    // rm does not follow symlinks below `host`; it unlinks them.
    rmSync(host, { recursive: true });
    const prefix = `${path}/`;
    for (const set of [this.dirs, this.implicit]) for (const p of set) if (p === path || p.startsWith(prefix)) set.delete(p);
    for (const p of this.dirTimes.keys()) if (p === path || p.startsWith(prefix)) this.dirTimes.delete(p);
  }

  private lstat(path: string): Stats | undefined {
    return lstatSync(this.host(path), { throwIfNoEntry: false });
  }

  private host(path: string): string {
    return path === '' ? this.root : `${this.root}/${path}`;
  }
}

/** Writes a member's content into a file created here and now (O_EXCL: never an existing file or link). */
async function writeFile(host: string, member: TarMember): Promise<void> {
  const { entry } = member;
  const fd = openSync(host, NEW_FILE, 0o600);
  try {
    for await (const chunk of member.body()) {
      for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
    }
    fchownSync(fd, entry.uid, entry.gid);
    fchmodSync(fd, entry.mode);
    futimesSync(fd, entry.mtime, entry.mtime);
  } finally {
    closeSync(fd);
  }
}
