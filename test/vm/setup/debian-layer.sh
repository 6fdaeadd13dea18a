#!/usr/bin/env bash
# Makes one bootable Debian test image from the cached base: OUT/{root.img,vmlinuz,initrd.img}.
# Usage: debian-layer.sh OUT [--base initramfs-tools|dracut|cloud-init] [--deb FILE] [--tree DIR]
#   --base  which cached base: Debian's initramfs-tools (the default), dracut in its place, or with cloud-init
#   --deb   a .deb installed with dpkg -i in the chroot (its postinst refreshes the initramfs)
#   --tree  files copied over the root after that (manifest, test units, templates)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_cmd tar mkfs.ext4 chroot unshare

out="${1:?usage: debian-layer.sh OUT [--base initramfs-tools|dracut|cloud-init] [--deb FILE] [--tree DIR]}"
shift
deb="" tree="" flavour="initramfs-tools"
while [ $# -gt 0 ]; do
  case "$1" in
    --base) flavour="$2"; shift 2 ;;
    --deb) deb="$2"; shift 2 ;;
    --tree) tree="$2"; shift 2 ;;
    *) die "unknown argument $1" ;;
  esac
done

case "$flavour" in
  initramfs-tools) bash "$REPO/test/vm/setup/debian-image.sh"; base="$VM_CACHE/debian/$(kernel_version)" ;;
  dracut) bash "$REPO/test/vm/setup/debian-dracut-image.sh"; base="$VM_CACHE/debian/$(kernel_version)/dracut" ;;
  cloud-init) bash "$REPO/test/vm/setup/debian-cloud-init-image.sh"; base="$VM_CACHE/debian/$(kernel_version)/cloud-init" ;;
  *) die "--base is initramfs-tools, dracut or cloud-init, not '$flavour'" ;;
esac
kver="$(kernel_version)"
root="$out/rootfs"
rm -rf "$root" && mkdir -p "$root"
say "unpack $base/base.tar -> $root"
tar --numeric-owner --xattrs -xf "$base/base.tar" -C "$root"

if [ -n "$deb" ]; then
  [ -f "$deb" ] || die "$deb is missing: run npm run package"
  say "dpkg -i $(basename "$deb") in the chroot"
  cp "$deb" "$root/tmp/under-test.deb"
  in_chroot "$root" "dpkg -i /tmp/under-test.deb" >"$out/dpkg.log" 2>&1 \
    || { cat "$out/dpkg.log" >&2; die "dpkg -i $deb failed (log: $out/dpkg.log)"; }
  rm -f "$root/tmp/under-test.deb"
fi

if [ -n "$tree" ]; then
  say "copy $tree over the root"
  cp -a "$tree/." "$root/"
fi

cp "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$out/initrd.img"
say "mkfs.ext4 -d $root -> $out/root.img"
mkfs.ext4 -q -F -d "$root" -L root "$out/root.img" 2G
rm -rf "$root"
say "image: $out/root.img; initrd.img $(stat -c %s "$out/initrd.img") bytes"
