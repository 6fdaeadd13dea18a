#!/bin/sh
# Boot comparison report: says "reached" as soon as multi-user is up (the host times QEMU to this line),
# then, once systemd counts the boot finished, prints its figures, blame, critical chain, the kernel's
# timestamps of the root mount and the agent's lines, and the agent's status; then powers off.
echo "BOOTCMP reached uptime=$(cut -d' ' -f1 /proc/uptime)"
echo "BOOTCMP multi-user-us $(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target)"
echo "BOOTCMP userspace-us $(systemctl show -P UserspaceTimestampMonotonic)"
echo "BOOTCMP initrd-us $(systemctl show -P InitRDTimestampMonotonic)"
echo "BOOTCMP agent-unit $(systemctl show -P ActiveState cloudlet-agent.service) condition=$(systemctl show -P ConditionResult cloudlet-agent.service)"
echo "BOOTCMP cloud-init-units $(systemctl list-units --no-legend --plain 'cloud-*' 2>/dev/null | awk '{ print $1 "=" $3 }' | tr '\n' ' ')"
# systemd-analyze refuses while a start job is pending: this unit is Type=simple, so the boot can finish.
i=0
until systemd-analyze time >/run/bootcmp-time.txt 2>&1 || [ "$i" -ge 120 ]; do sleep 0.5; i=$((i + 1)); done
sed 's/^/BOOTCMP time: /' /run/bootcmp-time.txt
systemd-analyze blame --no-pager 2>/dev/null | head -n 12 | sed 's/^/BOOTCMP blame: /'
systemd-analyze critical-chain --no-pager multi-user.target 2>/dev/null | sed 's/^/BOOTCMP chain: /'
dmesg 2>/dev/null | grep -E 'Run /init|EXT4-fs \(vda\)|cloudlet|systemd\[1\]: systemd [0-9]|Freeing unused kernel' | head -n 40 | sed 's/^/BOOTCMP kmsg: /'
if [ -f /run/cloudlet/status.json ]; then
  echo "BOOTCMP-STATUS-BEGIN"
  cat /run/cloudlet/status.json
  echo
  echo "BOOTCMP-STATUS-END"
fi
echo "BOOTCMP-DONE"
systemctl poweroff --no-block 2>/dev/null
