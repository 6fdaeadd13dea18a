#!/usr/bin/env bash
# Builds the cached Debian bookworm base (minbase + systemd + udev + kmod + initramfs-tools + the cloud kernel):
# .cache/vm/debian/<kver>/base.tar, plus its vmlinuz and initrd.img (Debian's own initramfs, no agent).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_cmd debootstrap chroot unshare tar

bash "$REPO/test/vm/setup/kernel.sh"
kver="$(kernel_version)"
kdeb="$(ls "$VM_CACHE/kernel/$kver"/linux-image-*.deb)"
out="$VM_CACHE/debian/$kver"

stamp="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
if cache_current "$out" "$stamp"; then
  say "Debian base already built: $out/base.tar"
  exit 0
fi

work="$out/work"
root="$work/rootfs"
rm -rf "$out" && mkdir -p "$work"

mirror="$(host_mirror)"
say "debootstrap --variant=minbase bookworm $root (mirror from the host's apt sources)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log)"; }

say "configuring the image: policy-rc.d, locale, fstab, hostname, masked serial getty"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
printf 'LANG=C.UTF-8\n' > "$root/etc/default/locale"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' > "$root/etc/fstab"
printf 'cloudlet-vm\n' > "$root/etc/hostname"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$kdeb" "$root/tmp/kernel.deb"

say "chroot: apt-get install systemd-sysv udev kmod initramfs-tools linux-base; dpkg -i the cloud kernel"
in_chroot "$root" "
  apt-get install -y -q --no-install-recommends systemd-sysv udev kmod initramfs-tools linux-base
  dpkg -i /tmp/kernel.deb
  apt-get clean
" >"$work/chroot.log" 2>&1 || { tail -n 30 "$work/chroot.log" >&2; die "chroot setup failed (log: $work/chroot.log)"; }

# The image keeps no trace of the build host: no mirror, no resolver, no package lists.
rm -f "$root/tmp/kernel.deb" "$root/etc/resolv.conf" "$root/etc/apt/sources.list"
rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@tty1.service"
: > "$root/etc/machine-id"

cp "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$out/initrd.img"
say "tar the base tree -> $out/base.tar"
tar --numeric-owner --xattrs -cf "$out/base.tar" -C "$root" .
rm -rf "$work"
printf '%s\n' "$stamp" > "$out/done"
say "Debian base: $out/base.tar ($(du -h "$out/base.tar" | cut -f1)), initrd.img $(stat -c %s "$out/initrd.img") bytes"
