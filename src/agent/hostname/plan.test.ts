// The hostname planner: which name, whether it is one, and what changes for it.

import { describe, expect, it } from 'vitest';
import { describeHostname, hostnameProblem, planHostname, type HostnameInput } from './plan';

const input = (over: Partial<HostnameInput>): HostnameInput => ({
  requested: { name: 'web1', from: 'user data' },
  kernelNow: 'localhost',
  etcNow: 'debian',
  etcIsTemplate: false,
  ...over,
});

describe('hostnameProblem', () => {
  it.each(['web1', 'a', 'ip-10-0-0-1.ec2.internal', 'A1-b2.example', '1.2'])('accepts %s', (name) => {
    expect(hostnameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['my_vm', /label "my_vm"/],
    ['-web', /label "-web"/],
    ['web-', /label "web-"/],
    ['a..b', /empty label/],
    ['web.', /empty label/],
    ['x'.repeat(64), /longer than 63/],
    [`${'a'.repeat(60)}.`.repeat(5), /longer than 253/],
    ['web 1', /label "web 1"/],
  ])('refuses %j', (name, why) => {
    expect(hostnameProblem(name)).toMatch(why);
  });
});

describe('planHostname', () => {
  it('sets the kernel hostname and /etc/hostname to the requested name', () => {
    const plan = planHostname(input({}));
    expect(plan).toMatchObject({ name: 'web1', from: 'user data', kernel: { to: 'set', now: 'localhost' }, etc: { to: 'set', now: 'debian' } });
    expect(describeHostname(plan)).toEqual([
      'hostname web1 (from user data)',
      'kernel hostname: set to web1 (now localhost)',
      '/etc/hostname: set to web1 (now debian)',
    ]);
  });

  it('changes nothing that already holds the name', () => {
    const plan = planHostname(input({ kernelNow: 'web1', etcNow: 'web1' }));
    expect(plan.kernel.to).toBe('unchanged');
    expect(plan.etc.to).toBe('unchanged');
  });

  it('leaves the kernel alone when the root is not this machine\'s, and /etc/hostname to a template that renders it', () => {
    const plan = planHostname(input({ kernelNow: null, etcIsTemplate: true }));
    expect(plan.kernel).toMatchObject({ to: 'left', why: "the image root is not this machine's root" });
    expect(plan.etc).toMatchObject({ to: 'left', why: 'a template of the image renders it' });
  });

  it('applies nothing for a name that is not a host name, and says why', () => {
    const plan = planHostname(input({ requested: { name: 'my_vm', from: 'platform azure' } }));
    expect(plan.name).toBeNull();
    expect(plan.kernel.to).toBe('left');
    expect(plan.etc.to).toBe('left');
    expect(describeHostname(plan)).toEqual([
      '"my_vm" from platform azure is not a host name: its label "my_vm" holds something other than letters, digits and inner "-"; the hostname is left as it is',
    ]);
  });

  it('takes the first label of a valid name longer than the kernel\'s 64 characters', () => {
    const long = `vm-1.${'zone-a.'.repeat(9)}internal`;
    const plan = planHostname(input({ requested: { name: long, from: 'platform gce' } }));
    expect(plan.name).toBe('vm-1');
    expect(plan.shortenedFrom).toBe(long);
  });

  it('does nothing without a name', () => {
    const plan = planHostname(input({ requested: null }));
    expect(plan.name).toBeNull();
    expect(plan.problem).toBeUndefined();
  });
});
