#!/usr/bin/env bash
# Builds the cached dracut variant of the Debian base: the initramfs-tools base with dracut in its place
# (Debian's dracut replaces initramfs-tools), a generic (not host-only) initramfs built by dracut:
# .cache/vm/debian/<kver>/dracut/{base.tar,initrd.img}.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_cmd chroot unshare tar

bash "$REPO/test/vm/setup/debian-image.sh"
kver="$(kernel_version)"
base="$VM_CACHE/debian/$kver"
out="$base/dracut"

# Rebuilt when this script or the base under it changes.
stamp="$(cat "${BASH_SOURCE[0]}" "$base/done" | sha256sum | cut -c1-16)"
if cache_current "$out" "$stamp"; then
  say "Debian dracut base already built: $out/base.tar"
  exit 0
fi

work="$out/work"
root="$work/rootfs"
rm -rf "$out" && mkdir -p "$root"
say "unpack $base/base.tar -> $root"
tar --numeric-owner --xattrs -xf "$base/base.tar" -C "$root"

# The base keeps no apt sources: give the chroot the host's mirror for this one install, then take it away.
mirror="$(host_mirror)"
printf 'deb %s bookworm main\n' "$mirror" > "$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Cloud images are built on one machine and booted on another: a generic initramfs, never host-only.
mkdir -p "$root/etc/dracut.conf.d"
printf '# Images run on machines other than the one that built them.\nhostonly="no"\n' > "$root/etc/dracut.conf.d/10-generic.conf"

say "chroot: apt-get install dracut (replaces initramfs-tools); dracut -f for $kver"
in_chroot "$root" "
  apt-get update -q
  apt-get install -y -q --no-install-recommends dracut
  apt-get clean
  dracut -f /boot/initrd.img-$kver $kver
" >"$work/chroot.log" 2>&1 || { tail -n 30 "$work/chroot.log" >&2; die "dracut setup failed (log: $work/chroot.log)"; }

rm -f "$root/etc/resolv.conf" "$root/etc/apt/sources.list"
rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin

cp "$root/boot/initrd.img-$kver" "$out/initrd.img"
say "tar the dracut base tree -> $out/base.tar"
tar --numeric-owner --xattrs -cf "$out/base.tar" -C "$root" .
rm -rf "$work"
printf '%s\n' "$stamp" > "$out/done"
say "Debian dracut base: $out/base.tar ($(du -h "$out/base.tar" | cut -f1)), initrd.img $(stat -c %s "$out/initrd.img") bytes"
