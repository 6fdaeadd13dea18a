// For tests of validate: an image tree with everything the example manifest (src/manifest/test-fixtures.ts) names.

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes into `root` the templates, accounts, kernel, initrd and init the example manifest's boot would look for. */
export function completeExampleImage(root: string): void {
  const files: Array<[string, string, number]> = [
    ['/etc/motd', 'Welcome: <%= config.greeting %>\n', 0o644],
    ['/etc/app/app.conf', 'greeting=<%= config.greeting %>\n', 0o640],
    ['/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n', 0o644],
    ['/etc/group', 'root:x:0:\napp:x:1000:\n', 0o644],
    ['/boot/vmlinuz', 'kernel', 0o644],
    ['/boot/initrd.img', 'initrd', 0o644],
    ['/sbin/init', '#!/bin/sh\n', 0o755],
  ];
  for (const [path, text, mode] of files) {
    const host = join(root, path);
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, text);
    chmodSync(host, mode);
  }
}
