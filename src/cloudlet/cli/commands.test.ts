// Proves every entry of cloudlet's command table loads a command of its own name.

import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands';

describe('cloudlet command table', () => {
  it('loads, for every entry, the command of the same name, with an example naming cloudlet', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(typeof command.run).toBe('function');
      for (const example of command.examples) expect(example).toMatch(new RegExp(`^cloudlet ${entry.name}\\b`));
    }
  });

  it('lists each name once, with a one-line summary', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of COMMANDS) expect(entry.summary).toMatch(/^[^\n]+$/);
  });
});
