// Proves every entry of the command registry loads a command of its own name.

import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands';

describe('command registry', () => {
  it('loads, for every entry, the command of the same name', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(typeof command.run).toBe('function');
    }
  });

  it('lists each name once, with a one-line summary', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of COMMANDS) expect(entry.summary).toMatch(/^[^\n]+$/);
  });
});
