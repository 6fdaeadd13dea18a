// The part of the store (src/cloudlet/store, see notes' store contract) that push and pull use, by the contract's names.

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface ResolvedForPush {
  digest: string;
  descriptor: Descriptor;
  manifest: { config: Descriptor; layers: Descriptor[] };
}

export interface BlobStore {
  readonly dir: string;
  tempPath(hint: string): string;
  hasBlob(digest: string, size?: number): Promise<boolean>;
  addBlobFile(tempFile: string, mediaType: string, expect?: { digest: string; size: number }): Promise<Descriptor>;
  addBlobBytes(bytes: Buffer, mediaType: string): Promise<Descriptor>;
  openBlob(digest: string): Promise<NodeJS.ReadableStream & { size: number }>;
  readBlobBytes(digest: string, maxBytes: number): Promise<Buffer>;
  resolve(ref: string): Promise<ResolvedForPush>;
  setRef(ref: string, manifest: Descriptor): Promise<void>;
  withLock<T>(what: string, fn: () => Promise<T>): Promise<T>;
}
