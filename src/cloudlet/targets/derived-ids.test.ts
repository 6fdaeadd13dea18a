// Derived ids: UUID version and variant, one per purpose, GUID byte order.

import { describe, expect, it } from 'vitest';
import { guidBytes, pinValues } from './derived-ids';
import { testContext } from './test-fixtures';

describe('derived ids', () => {
  it('are name-based UUIDs (version 8, RFC 4122 variant)', () => {
    const id = pinValues(testContext(), 1 << 20).vhdUniqueId;
    expect((id[6] ?? 0) >> 4).toBe(8);
    expect((id[8] ?? 0) >> 6).toBe(2);
  });

  it('differ per purpose', () => {
    const v = pinValues(testContext(), 1 << 20);
    const ids = [v.vhdUniqueId, v.vhdxFileWrite, v.vhdxDataWrite, v.vhdxDiskId].map((b) => b.toString('hex'));
    expect(new Set(ids).size).toBe(4);
  });

  it('store VHDX GUIDs with their first three fields little-endian', () => {
    const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    expect(guidBytes(uuid).toString('hex')).toBe('33221100554477668899aabbccddeeff');
  });
});
