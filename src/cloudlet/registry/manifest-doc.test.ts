import { describe, expect, it } from 'vitest';
import { agentErrorOf } from '../../test-support';
import { checkManifestDigest, parseManifestDoc, pickPlatform, sha256Digest, type IndexDoc } from './manifest-doc';

const d = (c: string, size = 3, mediaType = 'application/vnd.oci.image.layer.v1.tar') => ({ mediaType, digest: `sha256:${c.repeat(64)}`, size });
const OCI = 'application/vnd.oci.image.manifest.v1+json';

describe('parseManifestDoc', () => {
  it('reads an image manifest, taking the media type from the document before the header', () => {
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI, config: d('a', 2, 'application/vnd.oci.image.config.v1+json'), layers: [d('b')] }));
    expect(parseManifestDoc(bytes, 'text/plain', 'h/r:t')).toEqual({ kind: 'image', mediaType: OCI, config: d('a', 2, 'application/vnd.oci.image.config.v1+json'), layers: [d('b')] });
  });

  it('reads a Docker manifest list and picks linux/amd64', () => {
    const list = { schemaVersion: 2, manifests: [{ ...d('c'), platform: { os: 'linux', architecture: 'arm64' } }, { ...d('e'), platform: { os: 'linux', architecture: 'amd64' } }] };
    const doc = parseManifestDoc(Buffer.from(JSON.stringify(list)), 'application/vnd.docker.distribution.manifest.list.v2+json', 'w') as IndexDoc;
    expect(doc.kind).toBe('index');
    expect(pickPlatform(doc, 'w').digest).toBe(d('e').digest);
    expect(agentErrorOf(() => pickPlatform({ ...doc, manifests: doc.manifests.slice(0, 1) }, 'w')).message).toContain('it has: linux/arm64');
  });

  it.each([
    ['garbage', 'not JSON'],
    ['[]', 'not a JSON object'],
    ['{"schemaVersion":1}', 'schemaVersion is not 2'],
    ['{"schemaVersion":2,"config":{}}', 'no layers'],
    [JSON.stringify({ schemaVersion: 2, config: { ...d('a'), digest: 'sha256:../../x' }, layers: [] }), 'config.digest'],
    [JSON.stringify({ schemaVersion: 2, config: d('a'), layers: [{ ...d('b'), size: -1 }] }), 'layers[0].size'],
    [JSON.stringify({ schemaVersion: 2, config: d('a'), layers: [{ ...d('b'), mediaType: 'x\ny' }] }), 'layers[0].mediaType'],
  ])('refuses %s', (text, why) => {
    const err = agentErrorOf(() => parseManifestDoc(Buffer.from(text), OCI, 'h/r:t'));
    expect(err.code).toBe('E_REGISTRY');
    expect(err.message).toContain(why);
  });
});

describe('checkManifestDigest', () => {
  it('accepts the matching digest or none, refuses another', () => {
    const b = Buffer.from('{}');
    expect(checkManifestDigest(b, undefined, 'w')).toBe(sha256Digest(b));
    expect(checkManifestDigest(b, sha256Digest(b), 'w')).toBe(sha256Digest(b));
    expect(agentErrorOf(() => checkManifestDigest(b, d('0').digest, 'w')).message).toContain('refused');
  });
});
