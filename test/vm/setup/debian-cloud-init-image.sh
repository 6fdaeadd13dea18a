#!/usr/bin/env bash
# Builds the cached cloud-init variant of the Debian base, for the boot-time comparison only: the
# initramfs-tools base with Debian's cloud-init installed and told to look only at a NoCloud seed
# baked into the image: .cache/vm/debian/<kver>/cloud-init/base.tar.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_cmd chroot unshare tar

bash "$REPO/test/vm/setup/debian-image.sh"
kver="$(kernel_version)"
base="$VM_CACHE/debian/$kver"
out="$base/cloud-init"

# Rebuilt when this script or the base under it changes.
stamp="$(cat "${BASH_SOURCE[0]}" "$base/done" | sha256sum | cut -c1-16)"
if cache_current "$out" "$stamp"; then
  say "Debian cloud-init base already built: $out/base.tar"
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

say "chroot: apt-get install cloud-init"
in_chroot "$root" "
  apt-get update -q
  apt-get install -y -q --no-install-recommends cloud-init
  apt-get clean
" >"$work/chroot.log" 2>&1 || { tail -n 30 "$work/chroot.log" >&2; die "cloud-init setup failed (log: $work/chroot.log)"; }

# Only the baked seed: no network datasource is probed (the guest has no network).
mkdir -p "$root/etc/cloud/cloud.cfg.d"
printf 'datasource_list: [ NoCloud, None ]\n' > "$root/etc/cloud/cloud.cfg.d/90_dpkg.cfg"
rm -f "$root/etc/resolv.conf" "$root/etc/apt/sources.list"
rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin

say "tar the cloud-init base tree -> $out/base.tar"
tar --numeric-owner --xattrs -cf "$out/base.tar" -C "$root" .
rm -rf "$work"
printf '%s\n' "$stamp" > "$out/done"
say "Debian cloud-init base: $out/base.tar ($(du -h "$out/base.tar" | cut -f1))"
