// Streams the members of a tar archive (ustar, pax, GNU long names) from a ByteReader, within the budget's bounds.

import type { Budget } from './budget';
import type { ByteReader } from './byte-reader';
import { BLOCK, TYPE, padding } from './tar-format';
import type { EntryType, TarEntry } from './tar-entry';
import { type Header, cString, isZeroBlock, parseHeader } from './tar-header';
import { type PaxRecords, applyPax, parsePax } from './pax';
import { FIX_CORRUPT, badInput, memberWhere } from './input-errors';

export interface TarMember {
  entry: TarEntry;
  /** Position among the archive's members, from 1. */
  index: number;
  /** The content of a 'file' member, exactly `entry.size` bytes; read it before asking for the next member, or leave it. */
  body(): AsyncGenerator<Buffer>;
}

const FIX_TRUNCATED = 'the archive was cut short (an interrupted download or copy?); fetch or make it again';
const FIX_LIMIT = 'if the input is trusted, raise the limit; otherwise do not use this input';

/** Members of the tar stream in `reader`, in archive order; ends at the end-of-archive marker. */
export async function* readTar(reader: ByteReader, budget: Budget, archive: string): AsyncGenerator<TarMember> {
  const { limits } = budget;
  let globals: PaxRecords = new Map();
  let local: PaxRecords | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let index = 0;

  const readMeta = async (header: Header, max: number, what: string, where: string): Promise<Buffer> => {
    if (header.size > max) throw badInput(`${what} of ${header.size} bytes is larger than the limit of ${max}`, where, FIX_LIMIT);
    const data = await reader.readExact(header.size);
    const pad = await reader.skip(padding(header.size));
    if (data.length < header.size || pad < padding(header.size)) throw badInput('the archive ends inside a header', where, FIX_TRUNCATED);
    return data;
  };

  for (;;) {
    const at = reader.offset;
    const where = `${archive} at byte ${at}`;
    const block = await reader.readExact(BLOCK);
    // Like GNU tar and Go, a stream that stops where a header would start has simply ended (umoci writes such layers).
    if (block.length === 0) return;
    if (block.length < BLOCK) {
      throw at === 0 ? badInput('not a tar archive: shorter than one tar header', archive, FIX_CORRUPT) : badInput('the archive ends inside a header', where, FIX_TRUNCATED);
    }
    if (isZeroBlock(block)) return;
    const header = parseHeader(block, at === 0 ? `${archive} (not a tar archive?)` : where);

    switch (header.typeflag) {
      case TYPE.paxLocal:
        local = new Map([...(local ?? []), ...parsePax(await readMeta(header, limits.maxPaxBytes, 'pax extended header', where), where)]);
        continue;
      case TYPE.paxGlobal:
        globals = new Map([...globals, ...parsePax(await readMeta(header, limits.maxPaxBytes, 'pax global header', where), where)]);
        if (recordsBytes(globals) > limits.maxPaxBytes) throw badInput('pax global headers are larger than the limit', where, FIX_LIMIT);
        continue;
      case TYPE.gnuLongName:
        longName = cString(await readMeta(header, limits.maxNameBytes + 1, 'GNU long name', where), 'GNU long name', where);
        continue;
      case TYPE.gnuLongLink:
        longLink = cString(await readMeta(header, limits.maxNameBytes + 1, 'GNU long link name', where), 'GNU long link name', where);
        continue;
    }

    const pax = applyPax(header, local ? new Map([...globals, ...local]) : globals, where);
    const path = pax.path ?? longName ?? header.name;
    const linkname = pax.linkpath ?? longLink ?? header.linkname;
    local = undefined;
    longName = undefined;
    longLink = undefined;
    const named = memberWhere(archive, path);
    if (Buffer.byteLength(path) > limits.maxNameBytes) throw badInput(`member name longer than ${limits.maxNameBytes} bytes`, named, FIX_LIMIT);
    if (Buffer.byteLength(linkname) > limits.maxNameBytes) throw badInput(`link target longer than ${limits.maxNameBytes} bytes`, named, FIX_LIMIT);
    if (header.size > limits.maxMemberBytes) throw badInput(`member of ${header.size} bytes is larger than the limit of ${limits.maxMemberBytes}`, named, FIX_LIMIT);
    const type = entryType(header.typeflag, path, named);
    budget.countMember(named);

    // Bytes stored after the header: content for files, ignored for anything else that declares a size.
    let remaining = header.size;
    if (type !== undefined) {
      const entry: TarEntry = {
        path,
        type,
        mode: header.mode,
        uid: header.uid,
        gid: header.gid,
        mtime: header.mtime,
        size: type === 'file' ? header.size : 0,
        linkname: type === 'symlink' || type === 'hardlink' ? linkname : '',
        devmajor: type === 'char' || type === 'block' ? header.devmajor : 0,
        devminor: type === 'char' || type === 'block' ? header.devminor : 0,
        xattrs: pax.xattrs,
      };
      async function* body(): AsyncGenerator<Buffer> {
        while (type === 'file' && remaining > 0) {
          const chunk = await reader.readUpTo(remaining);
          if (chunk.length === 0) throw badInput('the archive ends inside this member', named, FIX_TRUNCATED);
          remaining -= chunk.length;
          yield chunk;
        }
      }
      yield { entry, index: ++index, body };
    }
    // Padding missing at the very end is tolerated for the same reason; the next read then finds the end.
    if ((await reader.skip(remaining + padding(header.size))) < remaining) throw badInput('the archive ends inside this member', named, FIX_TRUNCATED);
  }
}

/** The entry type of a header's type flag; undefined for members that carry nothing to unpack (volume labels). */
function entryType(flag: string, path: string, where: string): EntryType | undefined {
  switch (flag) {
    case TYPE.file:
    case TYPE.fileOld:
    case TYPE.contiguous:
      // Pre-POSIX archives mark directories only by a trailing slash.
      return path.endsWith('/') ? 'dir' : 'file';
    case TYPE.hardlink:
      return 'hardlink';
    case TYPE.symlink:
      return 'symlink';
    case TYPE.char:
      return 'char';
    case TYPE.block:
      return 'block';
    case TYPE.dir:
    case TYPE.gnuDumpDir:
      return 'dir';
    case TYPE.fifo:
      return 'fifo';
    case TYPE.gnuVolume:
      return undefined;
    case TYPE.gnuSparse:
      throw badInput('sparse members are not supported', where, 'make the archive again without --sparse (-S)');
    case TYPE.gnuMultiVolume:
      throw badInput('multi-volume archives are not supported', where, 'join the volumes into one archive');
    default:
      throw badInput(`unknown member type ${JSON.stringify(flag)}`, where, FIX_CORRUPT);
  }
}

function recordsBytes(records: PaxRecords): number {
  let n = 0;
  for (const [k, v] of records) n += k.length + v.length;
  return n;
}
