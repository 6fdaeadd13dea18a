// The shared platform failures: what they name, that they say how to fix, and that they never quote the document.

import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../manifest/json-text';
import { parseJsonObject, stoppedAnswering } from './platform-errors';

describe('platform errors', () => {
  it('parses a JSON object and refuses anything else without quoting it', () => {
    expect(parseJsonObject('{"uuid":"i-1"}', 'openstack', 'meta_data.json', '/m', 'fix it')).toEqual({ uuid: 'i-1' });
    for (const [text, what] of [['{"pw":"sekrit-value"', 'is not JSON'], ['["sekrit-value"]', 'is not a JSON object'], ['null', 'is not a JSON object']] as const) {
      let error: unknown;
      try {
        parseJsonObject(text, 'openstack', 'meta_data.json', '/m', 'fix it');
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'E_PLATFORM', message: `openstack: meta_data.json ${what}`, where: '/m', fix: 'fix it' });
      expect(JSON.stringify((error as { toJSON(): unknown }).toJSON())).not.toContain('sekrit');
    }
  });

  it('refuses a metadata document nested deeper than the JSON bound as a platform error, not a crash later', () => {
    const text = `{"meta":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(() => parseJsonObject(text, 'gce', 'the attributes', '/m', 'fix it')).toThrow(
      expect.objectContaining({ code: 'E_PLATFORM', message: `gce: the attributes nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`, fix: 'fix it' }),
    );
  });

  it('names the platform and the URL of a service that stopped answering, with a fix', () => {
    expect(stoppedAnswering('ec2', 'http://169.254.169.254/latest/user-data')).toMatchObject({
      code: 'E_PLATFORM',
      message: 'ec2: http://169.254.169.254/latest/user-data stopped answering',
      where: 'http://169.254.169.254/latest/user-data',
      fix: expect.stringContaining('ec2 metadata service'),
    });
  });
});
