#!/usr/bin/env bash
# Builds the cached dracut variant of the Debian base: the initramfs-tools base with dracut in its place
# (Debian's dracut replaces initramfs-tools), a generic (not host-only) initramfs built by dracut:
# .cache/vm/debian/<kver>/dracut/{base.tar,initrd.img}.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/debian-variant.sh"
need_cmd chroot unshare tar

# Cloud images are built on one machine and booted on another: a generic initramfs, never host-only.
variant_prepare() {
  mkdir -p "$1/etc/dracut.conf.d"
  printf '# Images run on machines other than the one that built them.\nhostonly="no"\n' > "$1/etc/dracut.conf.d/10-generic.conf"
}
variant_finish() {
  cp "$1/boot/initrd.img-$(kernel_version)" "$2/initrd.img"
  say "initrd.img $(stat -c %s "$2/initrd.img") bytes"
}

kver="$(kernel_version)"
build_variant dracut dracut "dracut -f /boot/initrd.img-$kver $kver" "${BASH_SOURCE[0]}"
