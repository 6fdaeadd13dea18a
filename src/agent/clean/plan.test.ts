// What clean plans from a scan, and the refusal of --image / without --force.

import { describe, expect, it } from 'vitest';
import { agentErrorOf } from '../../test-support';
import { checkImageRoot, describeAction, planClean } from './plan';

const SCAN = {
  record: ['/var/lib/cloudlet/first-boot-done', '/var/lib/cloudlet/instance-id'],
  pristine: ['/etc/app.conf'],
  staleTemps: ['/etc/.app.conf.cloudlet-0123456789ab-4242-x1'],
};

describe('planClean', () => {
  it('forgets only the boot record of a machine, whatever else the scan saw', () => {
    expect(planClean('boot-record', SCAN).actions).toEqual([
      { kind: 'forget', path: '/var/lib/cloudlet/first-boot-done' },
      { kind: 'forget', path: '/var/lib/cloudlet/instance-id' },
    ]);
  });

  it('restores templates from their pristine copies and removes stale temps too for an image', () => {
    const actions = planClean('image', SCAN).actions;
    expect(actions).toContainEqual({ kind: 'restore', path: '/etc/app.conf', pristine: '/.cloudlet/templates/etc/app.conf' });
    expect(actions).toContainEqual({ kind: 'remove-temp', path: SCAN.staleTemps[0] });
    expect(actions.filter((a) => a.kind === 'forget')).toHaveLength(2);
    expect(actions.map(describeAction)[0]).toBe('restore /etc/app.conf from /.cloudlet/templates/etc/app.conf (the template as shipped; the rendered file goes)');
  });
});

describe('checkImageRoot', () => {
  it('refuses / unless forced, and says how', () => {
    const err = agentErrorOf(() => checkImageRoot('/', false));
    expect(err.code).toBe('E_USAGE');
    expect(err.fix).toContain('--force');
    expect(() => checkImageRoot('/', true)).not.toThrow();
    expect(() => checkImageRoot('/srv/rootfs', false)).not.toThrow();
  });
});
