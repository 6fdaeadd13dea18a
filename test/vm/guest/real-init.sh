#!/bin/sh
# The busybox image's real init in VM tests: prints on the console what the agent left behind, then powers off.
# Files to show are listed one a line in /vmtest/show; lines to append to files in /vmtest/write ("path text");
# /vmtest/secret holds a secret to look for in the agent's files.
[ -r /proc/mounts ] || mount -t proc proc /proc
echo "VMTEST init: pid=$$ args=$*"
while read -r f; do
  [ -n "$f" ] || continue
  if [ -f "$f" ]; then sed "s|^|VMTEST file $f: |" "$f"; else echo "VMTEST missing $f"; fi
done < /vmtest/show
sed 's/^/VMTEST mount: /' /proc/mounts
ip -4 -o addr show 2>/dev/null | sed 's/^/VMTEST addr: /'
# Names (never contents) of agent files holding the fixture's secret; there must be none.
if [ -f /vmtest/secret ]; then
  grep -rlF -f /vmtest/secret /run/cloudlet /var/lib/cloudlet /.cloudlet 2>/dev/null | sed 's/^/VMTEST secret-in /'
  echo "VMTEST secret-scan done"
fi
if [ -f /vmtest/write ]; then
  while read -r path text; do echo "$text" >> "$path" && echo "VMTEST wrote $path"; done < /vmtest/write
fi
sync
echo "VMTEST-DONE"
poweroff -f
