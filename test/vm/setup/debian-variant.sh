# Sourced by the variant scripts (dracut, cloud-init): the initramfs-tools base with Debian packages
# installed from the host's mirror, cached as .cache/vm/debian/<kver>/<name>/base.tar.
#
# build_variant NAME PACKAGES CHROOT_COMMANDS SCRIPT
#   PACKAGES         what apt-get installs in the base's chroot
#   CHROOT_COMMANDS  run in the chroot after the install ('' for none)
#   SCRIPT           the variant's script: it and this file are in the cache stamp
# The caller may define variant_prepare ROOT (before the install) and variant_finish ROOT OUT (after it,
# before the tree is packed). Sets $out to the variant's cache directory.
build_variant() {
  local name="$1" packages="$2" commands="$3" script="$4"
  bash "$REPO/test/vm/setup/debian-image.sh"
  local kver base
  kver="$(kernel_version)"
  base="$VM_CACHE/debian/$kver"
  out="$base/$name"

  # Rebuilt when the variant's script, this file or the base under it changes.
  local stamp
  stamp="$(cat "$script" "${BASH_SOURCE[0]}" "$base/done" | sha256sum | cut -c1-16)"
  if cache_current "$out" "$stamp"; then
    say "Debian $name base already built: $out/base.tar"
    return 0
  fi

  local work="$out/work"
  local root="$work/rootfs"
  rm -rf "$out" && mkdir -p "$root"
  say "unpack $base/base.tar -> $root"
  tar --numeric-owner --xattrs -xf "$base/base.tar" -C "$root"

  # The base keeps no apt sources: give the chroot the host's mirror for this one install, then take it away.
  printf 'deb %s bookworm main\n' "$(host_mirror)" > "$root/etc/apt/sources.list"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  if declare -F variant_prepare >/dev/null; then variant_prepare "$root"; fi

  say "chroot: apt-get install $packages${commands:+; $commands}"
  in_chroot "$root" "
    apt-get update -q
    apt-get install -y -q --no-install-recommends $packages
    apt-get clean
    $commands
  " >"$work/chroot.log" 2>&1 || { tail -n 30 "$work/chroot.log" >&2; die "$name setup failed (log: $work/chroot.log)"; }

  rm -f "$root/etc/resolv.conf" "$root/etc/apt/sources.list"
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin
  if declare -F variant_finish >/dev/null; then variant_finish "$root" "$out"; fi

  say "tar the $name base tree -> $out/base.tar"
  tar --numeric-owner --xattrs -cf "$out/base.tar" -C "$root" .
  rm -rf "$work"
  printf '%s\n' "$stamp" > "$out/done"
  say "Debian $name base: $out/base.tar ($(du -h "$out/base.tar" | cut -f1))"
}
