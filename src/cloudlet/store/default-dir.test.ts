import { describe, expect, it } from 'vitest';
import { agentErrorOf } from '../../test-support';
import { defaultStoreDir, storeDirOf } from './default-dir';

describe('defaultStoreDir', () => {
  it('prefers CLOUDLET_STORE, then an absolute XDG_DATA_HOME, then HOME', () => {
    expect(defaultStoreDir({ CLOUDLET_STORE: '/s', XDG_DATA_HOME: '/x', HOME: '/h' })).toBe('/s');
    expect(defaultStoreDir({ XDG_DATA_HOME: '/x', HOME: '/h' })).toBe('/x/cloudlet/store');
    expect(defaultStoreDir({ XDG_DATA_HOME: 'relative', HOME: '/h' })).toBe('/h/.local/share/cloudlet/store');
  });

  it('asks for --store when nothing names a place', () => {
    expect(agentErrorOf(() => defaultStoreDir({})).fix).toBe('pass --store DIR');
  });

  it('takes --store over every default', () => {
    expect(storeDirOf('/given', { CLOUDLET_STORE: '/s' })).toBe('/given');
    expect(storeDirOf(undefined, { CLOUDLET_STORE: '/s' })).toBe('/s');
  });
});
