// Compression by magic bytes, and by layer media type.

import { describe, expect, it } from 'vitest';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { layerCompression, sniffCompression } from './compression';

describe('compression', () => {
  it('knows gzip, zstd, xz and the ones it refuses by their first bytes; anything else is a plain tar', () => {
    expect(sniffCompression(gzipSync('x'))).toBe('gzip');
    expect(sniffCompression(zstdCompressSync('x'))).toBe('zstd');
    expect(sniffCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toBe('xz');
    expect(sniffCompression(Buffer.from('BZh91AY'))).toBe('bzip2');
    expect(sniffCompression(Buffer.from('etc/\0\0'))).toBe('none');
    expect(sniffCompression(Buffer.alloc(0))).toBe('none');
  });

  it('maps OCI and docker layer media types, and nothing else', () => {
    expect(layerCompression('application/vnd.oci.image.layer.v1.tar+zstd')).toBe('zstd');
    expect(layerCompression('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('gzip');
    expect(layerCompression('application/vnd.oci.image.layer.v1.tar')).toBe('none');
    expect(layerCompression('application/vnd.oci.image.config.v1+json')).toBeUndefined();
    expect(layerCompression('toString')).toBeUndefined();
  });
});
