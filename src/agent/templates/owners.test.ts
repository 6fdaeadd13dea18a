// Owner specs resolved against image account files.

import { describe, expect, it } from 'vitest';
import { ownerLabel, parseAccounts, resolveOwner } from './owners';

const accounts = parseAccounts('# comment\nroot:x:0:0::/root:/bin/sh\nsvc:x:200:300::/:/bin/false\nbroken-line\n', 'root:x:0:\nsvcgrp:x:300:\nweb:x:33:\n');

describe('resolveOwner', () => {
  it.each([
    ['svc:web', { uid: 200, gid: 33 }],
    ['svc', { uid: 200, gid: 300 }],
    ['0:33', { uid: 0, gid: 33 }],
    ['svc:0', { uid: 200, gid: 0 }],
    ['root:root', { uid: 0, gid: 0 }],
  ])('resolves "%s" from the image accounts', (spec, owner) => {
    expect(resolveOwner(spec, accounts)).toEqual({ ok: true, owner });
  });

  it('treats root as 0:0 in an image without account files', () => {
    expect(resolveOwner('root:root', parseAccounts(null, null))).toEqual({ ok: true, owner: { uid: 0, gid: 0 } });
  });

  it.each([
    ['ghost:web', 'user "ghost"'],
    ['svc:ghosts', 'group "ghosts"'],
    ['1000', 'numeric user and no group'],
    ['a:b:c', 'not "user" or "user:group"'],
    [':web', 'not "user" or "user:group"'],
    ['svc:', 'not "user" or "user:group"'],
  ])('refuses "%s"', (spec, why) => {
    const r = resolveOwner(spec, accounts);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain(why);
  });
});

describe('ownerLabel', () => {
  it('names ids the image knows and shows the others as numbers', () => {
    expect(ownerLabel({ uid: 200, gid: 33 }, accounts)).toBe('svc:web');
    expect(ownerLabel({ uid: 4242, gid: 300 }, accounts)).toBe('4242:svcgrp');
  });
});
