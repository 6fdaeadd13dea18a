#!/usr/bin/env bash
# Fetches the Debian cloud kernel with apt and unpacks it: .cache/vm/kernel/<kver>/{vmlinuz,rootfs/usr/lib/modules/<kver>,*.deb}.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_cmd apt-cache apt-get dpkg-deb depmod

pkg="$(apt_resolve_dep linux-image-cloud-amd64)"
kver="${pkg#linux-image-}"
dir="$VM_CACHE/kernel/$kver"

if [ -f "$dir/done" ]; then
  say "kernel $kver already prepared in $dir"
else
  say "preparing kernel $kver in $dir"
  rm -rf "$dir" && mkdir -p "$dir/rootfs"
  say "apt-get download $pkg"
  (cd "$dir" && apt-get download -q "$pkg" >&2) || { say "download failed: refreshing package lists"; apt-get update -q >&2; (cd "$dir" && apt-get download -q "$pkg" >&2); }
  deb="$(ls "$dir"/linux-image-*.deb)"
  say "dpkg-deb -x $(basename "$deb")"
  dpkg-deb -x "$deb" "$dir/rootfs"
  # Merged /usr: the package ships lib/modules; keep one place for the modules tree.
  if [ -d "$dir/rootfs/lib/modules/$kver" ] && [ ! -d "$dir/rootfs/usr/lib/modules/$kver" ]; then
    mkdir -p "$dir/rootfs/usr/lib/modules"
    mv "$dir/rootfs/lib/modules/$kver" "$dir/rootfs/usr/lib/modules/$kver"
  fi
  say "depmod -b $dir/rootfs/usr $kver"
  depmod -b "$dir/rootfs/usr" "$kver"
  cp "$dir/rootfs/boot/vmlinuz-$kver" "$dir/vmlinuz"
  touch "$dir/done"
fi
printf '%s\n' "$kver" > "$VM_CACHE/kernel/current"
say "vmlinuz: $dir/vmlinuz"
say "modules: $dir/rootfs/usr/lib/modules/$kver"
