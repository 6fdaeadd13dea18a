// Choosing the image in an OCI index or a docker archive: by ref, by platform, the only one, or a clear error.

import { describe, expect, it } from 'vitest';
import { type Descriptor, checkPlatform, indexManifests, parseDockerManifest, parseImageConfig, parsePlatform, pickDockerImage, pickManifest, pickPlatform } from './image-json';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const amd64 = parsePlatform('linux/amd64');

function desc(d: string, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest(d), size: 10, annotations: {}, ...extra };
}
const tagged = (d: string, ref: string) => desc(d, { annotations: { 'org.opencontainers.image.ref.name': ref } });

describe('pickManifest', () => {
  it('takes the only image when no ref is given', () => {
    expect(pickManifest([tagged('a', 'base')], undefined, amd64, 'w').digest).toBe(digest('a'));
  });

  it('finds an image by tag, by containerd name, by docker-style name and by digest', () => {
    const ms = [tagged('a', 'base'), tagged('b', 'v2'), desc('c', { annotations: { 'io.containerd.image.name': 'docker.io/library/debian:12' } })];
    expect(pickManifest(ms, 'v2', amd64, 'w').digest).toBe(digest('b'));
    expect(pickManifest(ms, 'debian:12', amd64, 'w').digest).toBe(digest('c'));
    expect(pickManifest(ms, digest('a'), amd64, 'w').digest).toBe(digest('a'));
  });

  it('says which images there are when the ref is unknown or none was given among several', () => {
    const ms = [tagged('a', 'base'), tagged('b', 'v2')];
    expect(() => pickManifest(ms, 'v3', amd64, 'w')).toThrow(/no image named "v3"; it has base, v2/);
    expect(() => pickManifest(ms, undefined, amd64, 'w')).toThrow(/several images and none chosen; it has base, v2/);
  });

  it('picks the one image for the platform among untagged ones', () => {
    const ms = [desc('a', { platform: { os: 'linux', architecture: 'arm64' } }), desc('b', { platform: { os: 'linux', architecture: 'amd64' } })];
    expect(pickManifest(ms, undefined, amd64, 'w').digest).toBe(digest('b'));
  });
});

describe('pickPlatform', () => {
  it('takes linux/amd64 from an index of platforms, skipping attestations', () => {
    const ms = [
      desc('a', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }),
      desc('b', { platform: { os: 'linux', architecture: 'amd64' } }),
      desc('c', { platform: { os: 'unknown', architecture: 'unknown' } }),
    ];
    expect(pickPlatform(ms, amd64, 'w').digest).toBe(digest('b'));
    expect(pickPlatform(ms, parsePlatform('linux/aarch64'), 'w').digest).toBe(digest('a'));
    expect(() => pickPlatform(ms, parsePlatform('linux/s390x'), 'w')).toThrow(/no image for linux\/s390x; the index has linux\/arm64\/v8, linux\/amd64, unknown\/unknown/);
  });
});

describe('documents', () => {
  it('refuses descriptors with other digest algorithms or malformed sizes', () => {
    expect(() => indexManifests({ manifests: [{ mediaType: 'x', digest: 'sha512:' + 'a'.repeat(128), size: 1 }] }, 'w')).toThrow(/is not a sha256 digest/);
    expect(() => indexManifests({ manifests: [{ mediaType: 'x', digest: digest('a'), size: -1 }] }, 'w')).toThrow(/bad size/);
    expect(() => indexManifests({}, 'w')).toThrow(/without a "manifests" list/);
  });

  it('reads diff ids and refuses a config for another architecture', () => {
    const config = parseImageConfig({ os: 'linux', architecture: 'arm64', rootfs: { type: 'layers', diff_ids: [digest('d')] } }, 'w');
    expect(config.diffIds).toEqual([digest('d')]);
    expect(() => checkPlatform(config, amd64, 'cfg')).toThrow(/the image is for linux\/arm64, not linux\/amd64/);
    expect(() => checkPlatform(parseImageConfig({ architecture: 'x86_64', os: 'linux' }, 'w'), amd64, 'cfg')).not.toThrow();
  });

  it('recognises a docker manifest.json and picks by RepoTags', () => {
    expect(parseDockerManifest({ not: 'an archive' })).toBeUndefined();
    expect(parseDockerManifest([{ Config: 'c.json' }])).toBeUndefined();
    const images = parseDockerManifest([
      { Config: 'a.json', RepoTags: ['localhost/app:1'], Layers: ['l1/layer.tar'] },
      { Config: 'b.json', RepoTags: null, Layers: [] },
    ]);
    expect(images?.length).toBe(2);
    expect(pickDockerImage(images ?? [], 'app:1', 'w').config).toBe('a.json');
    expect(() => pickDockerImage(images ?? [], undefined, 'w')).toThrow(/several images and none chosen; it has localhost\/app:1, \(untagged\)/);
  });
});
