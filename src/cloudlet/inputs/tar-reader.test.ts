// The streaming reader: pax and GNU extensions, bodies across chunk edges, truncation and every bound.

import { describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import { archive, gnuLong, header, member, pax, readAll } from './tar-test-support';

async function failure(bytes: Buffer, limits = {}): Promise<AgentError> {
  try {
    await readAll(bytes, limits);
  } catch (err) {
    return err as AgentError;
  }
  throw new Error('the archive was read without an error');
}

describe('readTar', () => {
  it('yields every kind of member with its content, across chunk edges', async () => {
    const members = await readAll(
      archive(
        member({ name: 'etc/', type: '5', mode: 0o755 }),
        member({ name: 'etc/hosts', mode: 0o644, uid: 1, gid: 2 }, 'x'.repeat(700)),
        member({ name: 'etc/hard', type: '1', linkname: 'etc/hosts' }),
        member({ name: 'etc/soft', type: '2', linkname: 'hosts' }),
        member({ name: 'dev/null', type: '3', devmajor: 1, devminor: 3, mode: 0o666 }),
        member({ name: 'dev/sda', type: '4', devmajor: 8, devminor: 0 }),
        member({ name: 'run/fifo', type: '6' }),
        member({ name: 'usr/bin/su', mode: 0o4755 }, 'su'),
      ),
    );
    expect(members.map((m) => [m.entry.path, m.entry.type])).toEqual([
      ['etc/', 'dir'],
      ['etc/hosts', 'file'],
      ['etc/hard', 'hardlink'],
      ['etc/soft', 'symlink'],
      ['dev/null', 'char'],
      ['dev/sda', 'block'],
      ['run/fifo', 'fifo'],
      ['usr/bin/su', 'file'],
    ]);
    expect(members[1]?.content).toBe('x'.repeat(700));
    expect([members[1]?.entry.uid, members[1]?.entry.gid, members[1]?.entry.size]).toEqual([1, 2, 700]);
    expect(members[2]?.entry.linkname).toBe('etc/hosts');
    expect([members[4]?.entry.devmajor, members[4]?.entry.devminor]).toEqual([1, 3]);
    expect(members[7]?.entry.mode).toBe(0o4755);
  });

  it('lets pax records override path, linkpath, size, owners and mtime, and collects xattrs', async () => {
    const long = 'd/'.repeat(80) + 'file';
    const [m] = await readAll(
      archive(
        pax({ path: long, uid: '70000', gid: '70001', mtime: '1700000000.25', 'SCHILY.xattr.user.note': 'hi', 'SCHILY.xattr.security.capability': Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0]) }),
        member({ name: 'short' }, 'content'),
      ),
    );
    expect(m?.entry.path).toBe(long);
    expect([m?.entry.uid, m?.entry.gid, m?.entry.mtime]).toEqual([70000, 70001, 1_700_000_000.25]);
    expect(m?.entry.xattrs.get('user.note')?.toString()).toBe('hi');
    expect([...(m?.entry.xattrs.get('security.capability') ?? [])]).toEqual([1, 0, 0, 2, 0x20, 0, 0, 0]);
    const [l] = await readAll(archive(pax({ linkpath: 'x'.repeat(150) }), member({ name: 'l', type: '2', linkname: 'short' })));
    expect(l?.entry.linkname).toBe('x'.repeat(150));
  });

  it('takes the size from pax over the header', async () => {
    const [m] = await readAll(archive(pax({ size: '5' }), Buffer.concat([header({ name: 'f', size: 0 }), Buffer.from('hello'), Buffer.alloc(507)])));
    expect(m?.content).toBe('hello');
  });

  it('applies global pax headers to every later member, local ones to the next only', async () => {
    const ms = await readAll(archive(pax({ uid: '42' }, 'g'), pax({ gid: '7' }), member({ name: 'a' }), member({ name: 'b' })));
    expect(ms.map((m) => [m.entry.uid, m.entry.gid])).toEqual([
      [42, 7],
      [42, 0],
    ]);
  });

  it('reads GNU long names and long link targets', async () => {
    const name = 'n'.repeat(300);
    const target = 't'.repeat(200);
    const [m] = await readAll(archive(gnuLong('L', name), gnuLong('K', target), member({ name: 'trunc', type: '2', linkname: 'trunc', format: 'gnu' })));
    expect([m?.entry.path, m?.entry.linkname]).toEqual([name, target]);
  });

  it('skips the content of members nobody reads', async () => {
    const ms = await readAll(archive(member({ name: 'a' }, 'A'.repeat(1500)), member({ name: 'b' }, 'B')), {}, 100, false);
    expect(ms.map((m) => [m.entry.path, m.content])).toEqual([
      ['a', ''],
      ['b', ''],
    ]);
  });

  it('marks directories of pre-POSIX archives by their trailing slash', async () => {
    const [m] = await readAll(archive(member({ name: 'old/', type: '\0', format: 'v7' })));
    expect(m?.entry.type).toBe('dir');
  });

  it('takes a stream that stops at a member boundary, or in the last padding, as ended (umoci writes such layers)', async () => {
    const one = member({ name: 'a' }, 'abc');
    expect((await readAll(one)).map((m) => m.content)).toEqual(['abc']);
    expect((await readAll(one.subarray(0, 515))).map((m) => m.content)).toEqual(['abc']);
  });

  it('refuses a stream cut inside a member or a header', async () => {
    const one = member({ name: 'a' }, 'abc');
    expect((await failure(one.subarray(0, 514))).message).toContain('ends inside this member');
    expect((await failure(Buffer.concat([one, one.subarray(0, 300)]))).message).toContain('ends inside a header');
    expect((await failure(one.subarray(0, 300))).message).toContain('not a tar archive: shorter than one tar header');
  });

  it('refuses data that is not a tar, naming the archive', async () => {
    const err = await failure(Buffer.alloc(2048, 0x41));
    expect(err.code).toBe('E_BAKE_INPUT');
    expect(err.where).toBe('test.tar (not a tar archive?)');
  });

  it('refuses sparse, multi-volume and unknown member types', async () => {
    expect((await failure(archive(member({ name: 's', type: 'S', format: 'gnu' })))).message).toContain('sparse');
    expect((await failure(archive(pax({ 'GNU.sparse.major': '1' }), member({ name: 's' })))).message).toContain('sparse');
    expect((await failure(archive(member({ name: 'm', type: 'M', format: 'gnu' })))).message).toContain('multi-volume');
    expect((await failure(archive(member({ name: 'q', type: 'Q' })))).message).toContain('unknown member type');
  });

  it('bounds pax headers, names, member sizes and member counts', async () => {
    expect((await failure(archive(pax({ comment: 'x'.repeat(5000) }), member({ name: 'a' })), { maxPaxBytes: 4096 })).message).toContain('pax extended header of');
    expect((await failure(archive(gnuLong('L', 'n'.repeat(5000)), member({ name: 'a' })), { maxNameBytes: 4096 })).message).toContain('GNU long name of');
    expect((await failure(archive(pax({ path: 'p'.repeat(300) }), member({ name: 'a' })), { maxNameBytes: 200 })).message).toContain('member name longer than 200');
    expect((await failure(archive(member({ name: 'big' }, 'x'.repeat(2000))), { maxMemberBytes: 1000 })).message).toContain('larger than the limit of 1000');
    const many = archive(...Array.from({ length: 11 }, (_, i) => member({ name: `f${i}` })));
    const err = await failure(many, { maxMembers: 10 });
    expect(err.message).toContain('more than 10 members');
    expect(err.where).toBe('test.tar: member "f10"');
  });
});
