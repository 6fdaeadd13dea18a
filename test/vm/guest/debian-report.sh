#!/bin/sh
# Debian VM test report: boot figures, files, mounts, the data disk's UUID, the agent's status and timeline
# (SVG as base64) between markers on the serial console, then writes /vmtest/write lines and powers off.
echo "VMTEST report-start uptime=$(cut -d' ' -f1 /proc/uptime)"
echo "VMTEST multi-user-us $(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target)"
echo "VMTEST initrd-us $(systemctl show -P InitRDTimestampMonotonic)"
echo "VMTEST userspace-us $(systemctl show -P UserspaceTimestampMonotonic)"
# "no" when the unit skipped itself because an initramfs hook already ran the agent this boot.
echo "VMTEST unit-condition $(systemctl show -P ConditionResult cloudlet-agent.service)"
while read -r f; do
  [ -n "$f" ] || continue
  if [ -f "$f" ]; then sed "s|^|VMTEST file $f: |" "$f"; else echo "VMTEST missing $f"; fi
done < /vmtest/show
sed 's/^/VMTEST mount: /' /proc/mounts
if [ -b /dev/vdc ]; then
  uuid="$(blkid -s UUID -o value /dev/vdc)"
  echo "VMTEST data-uuid $uuid"
  if [ -d /var/lib/app ] && [ ! -f /var/lib/app/first-uuid ]; then echo "$uuid" > /var/lib/app/first-uuid; fi
fi
if command -v cloudlet-agent >/dev/null; then
  echo "VMTEST-STATUS-BEGIN"
  cloudlet-agent status --wait --timeout 30 --json
  echo "VMTEST-STATUS-END rc=$?"
  cloudlet-agent analyze --svg /run/vmtest-timeline.svg > /run/vmtest-analyze.txt 2>&1
  echo "VMTEST analyze-rc $?"
  sed 's/^/VMTEST analyze: /' /run/vmtest-analyze.txt
  if [ -f /run/vmtest-timeline.svg ]; then
    echo "VMTEST-SVG-BEGIN"
    base64 -w 76 /run/vmtest-timeline.svg
    echo "VMTEST-SVG-END"
  fi
  echo "VMTEST journal-agent-begin"
  journalctl -b -o cat --no-pager -u 'cloudlet*' 2>/dev/null | tail -n 40 | sed 's/^/VMTEST journal: /'
fi
# Names (never contents) of agent files and journal lines holding the fixture's secret; there must be none.
if [ -f /vmtest/secret ]; then
  grep -rlF -f /vmtest/secret /run/cloudlet /var/lib/cloudlet /.cloudlet /var/log 2>/dev/null | sed 's/^/VMTEST secret-in /'
  echo "VMTEST secret-in-journal $(journalctl -b -o cat --no-pager 2>/dev/null | grep -cF -f /vmtest/secret)"
  echo "VMTEST secret-scan done"
fi
if [ -f /vmtest/write ]; then
  while read -r path text; do echo "$text" >> "$path" && echo "VMTEST wrote $path"; done < /vmtest/write
fi
sync
echo "VMTEST-DONE"
# Without D-Bus in minbase, systemctl complains and then signals PID 1 directly, which is all we need.
systemctl poweroff --no-block 2>/dev/null
