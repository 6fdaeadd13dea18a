// The image store: an OCI image layout on disk (oci-layout, index.json, blobs/sha256/), its refs, blobs and lock.

import { lstat, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AgentError } from '../../errors';
import { writeAtomic } from '../../system/atomic-write';
import { tempPath as tempName } from '../../system/temp-names';
import { damagedBlob, hashAndSync, publish, readVerified, streamVerified } from './blob-io';
import { canonicalJson } from './canonical-json';
import { type Descriptor, type ImageConfig, type ImageManifest, MEDIA, REF_NAME, isManifestType, parseConfig, parseIndex, parseManifest, parseStoreJson } from './oci-docs';
import { DIGEST, parseNameRef, parseRef } from './refs';
import { findByPrefix } from './prefix-lookup';
import { refError, storeError } from './store-errors';
import { LIMITS } from './store-limits';
import { acquireLock, lockWaitMs, type LockOptions } from './store-lock';

export interface ResolvedImage {
  /** the NAME:VERSION it was found by, when it was found by one */
  ref?: string;
  digest: string;
  manifest: ImageManifest;
  config: ImageConfig;
  descriptor: Descriptor;
}

export interface StoreOptions {
  create?: boolean;
  /** how long withLock waits for a live holder (default: CLOUDLET_STORE_LOCK_WAIT or 60 s) */
  lock?: Partial<LockOptions>;
}

const LAYOUT = '{"imageLayoutVersion":"1.0.0"}';
const FIX_INDEX = 'restore index.json from a backup, or move the store aside and snapshot or pull the images again';

export class Store {
  readonly dir: string;
  private readonly lockOptions: LockOptions;
  private locked = false;

  private constructor(dir: string, lockOptions: LockOptions) {
    this.dir = dir;
    this.lockOptions = lockOptions;
  }

  /** The store at `dir`; with `create`, a missing or empty directory becomes an empty layout. */
  static async open(dir: string, opts: StoreOptions = {}): Promise<Store> {
    const root = resolve(dir);
    const store = new Store(root, { waitMs: lockWaitMs(process.env), ...opts.lock });
    const layout = await readFile(join(root, 'oci-layout'), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw storeError(`cannot read ${join(root, 'oci-layout')}: ${err.message}`, root, 'check the permissions of the store directory', err);
      return undefined;
    });
    if (layout === undefined) {
      if (!opts.create) throw storeError(`no image store at ${root} (it has no oci-layout file)`, root, 'snapshot or pull an image first, or name the store with --store DIR (or CLOUDLET_STORE)');
      await store.create();
    } else {
      const version = (parseStoreJson(Buffer.from(layout), join(root, 'oci-layout'), 'the file must be {"imageLayoutVersion":"1.0.0"}') as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion;
      if (version !== '1.0.0') throw storeError(`unsupported OCI layout version ${JSON.stringify(version)}`, join(root, 'oci-layout'), 'use a store made by cloudlet, skopeo or umoci (layout 1.0.0)');
    }
    // A layout another tool wrote may lack them; a read-only store is still readable without them.
    for (const sub of [join(root, 'blobs', 'sha256'), join(root, 'tmp')]) {
      await mkdir(sub, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EACCES' && err.code !== 'EROFS' && err.code !== 'EPERM') throw err;
      });
    }
    return store;
  }

  private async create(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(this.dir, 'tmp'), { recursive: true });
    if (!(await lstat(join(this.dir, 'index.json')).catch(() => undefined))) await this.writeIndex([]);
    // oci-layout last: a directory that has it is a whole layout.
    await writeAtomic(join(this.dir, 'oci-layout'), LAYOUT, { mode: 0o644 });
  }

  /** A fresh, unused path under tmp/ whose name says which process wrote it (gc removes those of dead writers). */
  tempPath(hint: string): string {
    return tempName(join(this.dir, 'tmp', hint.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'blob'));
  }

  blobPath(digest: string): string {
    if (!DIGEST.test(digest)) throw refError(`"${digest.slice(0, 80)}" is not a sha256 digest`, this.dir, 'a digest is sha256: and 64 hex digits');
    return join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  /** Whether the blob is there as a regular file (of `size` bytes, when given); its bytes are not hashed. */
  async hasBlob(digest: string, size?: number): Promise<boolean> {
    const st = await lstat(this.blobPath(digest)).catch(() => undefined);
    return st !== undefined && st.isFile() && (size === undefined || st.size === size);
  }

  async addBlobFile(tempFile: string, mediaType: string, expect?: { digest: string; size: number }): Promise<Descriptor> {
    const got = await hashAndSync(tempFile);
    if (expect && (got.digest !== expect.digest || got.size !== expect.size)) {
      throw damagedBlob(expect.digest, tempFile, `expected ${expect.size} bytes, got ${got.size} bytes hashing to ${got.digest}`);
    }
    await publish(tempFile, this.blobPath(got.digest));
    return { mediaType, digest: got.digest, size: got.size };
  }

  async addBlobBytes(bytes: Buffer, mediaType: string): Promise<Descriptor> {
    const tmp = this.tempPath('blob');
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
    } finally {
      await fh.close();
    }
    return this.addBlobFile(tmp, mediaType);
  }

  openBlob(digest: string): Promise<NodeJS.ReadableStream & { size: number }> {
    return streamVerified(this.blobPath(digest), digest);
  }

  readBlobBytes(digest: string, maxBytes: number): Promise<Buffer> {
    return readVerified(this.blobPath(digest), digest, maxBytes);
  }

  /** The manifests index.json lists, named or not. */
  async indexEntries(): Promise<Descriptor[]> {
    const path = join(this.dir, 'index.json');
    const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw storeError(`cannot read index.json: ${err.code === 'ENOENT' ? 'it is missing' : err.message}`, path, FIX_INDEX, err);
    });
    if (st.size > LIMITS.indexBytes) throw storeError(`index.json is ${st.size} bytes, more than the limit of ${LIMITS.indexBytes}`, path, FIX_INDEX);
    return parseIndex(parseStoreJson(await readFile(path), path, FIX_INDEX), path, FIX_INDEX);
  }

  async refs(): Promise<Array<{ ref: string; descriptor: Descriptor }>> {
    const out: Array<{ ref: string; descriptor: Descriptor }> = [];
    for (const d of await this.indexEntries()) {
      const ref = d.annotations?.[REF_NAME];
      if (ref !== undefined) out.push({ ref, descriptor: d });
    }
    return out.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }

  async resolve(text: string): Promise<ResolvedImage> {
    const query = parseRef(text);
    const refs = await this.refs();
    const byName = (ref: string) => refs.find((r) => r.ref === ref);
    if (query.kind === 'name' || (query.kind === 'prefix' && query.ref && byName(query.ref))) {
      const ref = query.kind === 'name' ? query.ref : (query.ref as string);
      const hit = byName(ref);
      if (!hit) {
        const have = refs.slice(0, 20).map((r) => r.ref).join(', ');
        throw refError(`no image ${ref} in the store ${this.dir}`, text, refs.length ? `the store has ${have}${refs.length > 20 ? ', ...' : ''} (cloudlet log --tree lists them all)` : 'the store is empty: snapshot or pull an image first');
      }
      return this.load(hit.descriptor, ref);
    }
    const digest = query.kind === 'digest' ? query.digest : await findByPrefix(this, query.hex, text);
    const named = refs.find((r) => r.descriptor.digest === digest);
    if (named) return this.load(named.descriptor, named.ref);
    if (!(await this.hasBlob(digest))) throw refError(`no image ${digest} in the store ${this.dir}`, text, 'cloudlet log --tree lists the images of the store');
    return this.load({ mediaType: MEDIA.manifest, digest, size: (await stat(this.blobPath(digest))).size });
  }

  /** The manifest and config of the image `descriptor` points at, verified. */
  async load(descriptor: Descriptor, ref?: string): Promise<ResolvedImage> {
    const where = `${this.dir} manifest ${descriptor.digest}`;
    if (!isManifestType(descriptor.mediaType)) {
      throw refError(`${ref ?? descriptor.digest} is a ${descriptor.mediaType}, not an image manifest`, where, 'name one image of it (copy it in for one platform: skopeo copy --override-arch amd64 ...)');
    }
    const manifest = parseManifest(parseStoreJson(await this.readBlobBytes(descriptor.digest, LIMITS.manifestBytes), where, 'the manifest blob is damaged'), where);
    const configWhere = `${this.dir} config ${manifest.config.digest}`;
    const config = parseConfig(parseStoreJson(await this.readBlobBytes(manifest.config.digest, LIMITS.configBytes), configWhere, 'the config blob is damaged'), configWhere);
    return { ...(ref ? { ref } : {}), digest: descriptor.digest, manifest, config, descriptor };
  }

  /** Points NAME:VERSION at `manifest` (moving it if it pointed elsewhere); only inside withLock. */
  async setRef(ref: string, manifest: Descriptor): Promise<void> {
    this.mustHoldLock('setRef');
    const name = parseNameRef(ref);
    const entries = (await this.indexEntries()).filter((d) => d.annotations?.[REF_NAME] !== name);
    entries.push({ mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, annotations: { [REF_NAME]: name }, ...(manifest.platform ? { platform: manifest.platform } : {}) });
    await this.writeIndex(entries);
  }

  async removeRef(ref: string): Promise<void> {
    await this.removeRefs([ref]);
  }

  /** Removes every named ref in one index.json rewrite; E_REF (and nothing removed) if any is not there. */
  async removeRefs(refs: readonly string[]): Promise<void> {
    this.mustHoldLock('removeRefs');
    const names = new Set(refs.map(parseNameRef));
    const entries = await this.indexEntries();
    const missing = [...names].filter((n) => !entries.some((d) => d.annotations?.[REF_NAME] === n));
    if (missing.length) throw refError(`no image ${missing.join(', ')} in the store ${this.dir}`, missing.join(', '), 'cloudlet log --tree lists the names in the store; nothing was removed');
    await this.writeIndex(entries.filter((d) => !names.has(d.annotations?.[REF_NAME] ?? '')));
  }

  async withLock<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.locked) throw new AgentError('E_INTERNAL', `withLock("${what}") inside withLock of ${this.dir}`, { fix: 'this is a bug in cloudlet; report it' });
    const release = await acquireLock(this.dir, join(this.dir, 'tmp'), what, this.lockOptions);
    this.locked = true;
    try {
      return await fn();
    } finally {
      this.locked = false;
      await release();
    }
  }

  private mustHoldLock(what: string): void {
    // Two writers of index.json outside the lock would lose one's change, and gc could sweep a blob being referenced.
    if (!this.locked) throw new AgentError('E_INTERNAL', `${what} outside withLock of ${this.dir}`, { fix: 'this is a bug in cloudlet: every change of the store runs under its lock; report it' });
  }

  /** index.json, entries in a stable order (named ones by name, then the rest by digest), replaced atomically. */
  private async writeIndex(entries: Descriptor[]): Promise<void> {
    const key = (d: Descriptor) => `${d.annotations?.[REF_NAME] === undefined ? '1' : '0'}${d.annotations?.[REF_NAME] ?? ''} ${d.digest}`;
    const sorted = [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const index = { schemaVersion: 2, mediaType: MEDIA.index, manifests: sorted };
    await writeAtomic(join(this.dir, 'index.json'), canonicalJson(index), { mode: 0o644 });
  }
}
