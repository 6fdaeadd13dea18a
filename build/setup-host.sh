#!/usr/bin/env bash
# Installs the Debian packages the demo and the tests need on a fresh Debian 12 machine (run as root).
# Usage: bash build/setup-host.sh [demo|test]   (default test: everything)
set -euo pipefail
what=${1:-test}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")

# demo: a static shell for the example image, loop devices and ext4 for its persistent disk.
pkgs=(busybox-static util-linux e2fsprogs binutils python3 ca-certificates)
# demo: cloudlet bake of the example (the tools cloudlet's package depends on; getfattr for a directory's digest).
pkgs+=(qemu-utils dosfstools mtools fdisk syslinux syslinux-common systemd-boot-efi attr)
if [ "$what" = test ]; then
  # blackbox: real config disks (ISO9660, vfat, cloud-localds), xfs/btrfs/LUKS/partition-table probes, SVG checks, the .deb,
  # a pty standing in for the xenbus device (socat).
  pkgs+=(genisoimage xorriso dosfstools mtools cloud-image-utils xfsprogs btrfs-progs cryptsetup-bin fdisk libxml2-utils dpkg-dev kmod cpio socat)
  # the tools cloudlet's package depends on (its package test asks dpkg which package owns each).
  pkgs+=(qemu-utils syslinux syslinux-common systemd-boot-efi zstd xz-utils)
  # bake inputs: xattrs (attr: getfattr/setfattr, which cloudlet runs too), OCI layouts and docker archives made offline
  # (umoci, skopeo), staged trees compared with the source (rsync).
  pkgs+=(attr umoci skopeo rsync)
  # snapshots: the Git tracking repository (snapshot --git, checkout --git).
  pkgs+=(git)
  # push and pull: the reference registry the registry tests start on 127.0.0.1.
  pkgs+=(docker-registry)
  # generated completions and manual pages, tried in each shell and linted (also by the package build when present).
  pkgs+=(zsh fish mandoc groff-base)
  # npm run bench: fincore, for the rows of executable pages a cold start reads.
  pkgs+=(util-linux-extra)
  # VM tier: the UEFI firmware a baked disk boots under (SeaBIOS comes with QEMU).
  pkgs+=(ovmf)
  if [ -f "$repo/test/vm/apt-packages.txt" ]; then
    mapfile -t vm < <(grep -vE '^\s*(#|$)' "$repo/test/vm/apt-packages.txt")
    pkgs+=("${vm[@]}")
  fi
fi
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)

missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup-host: ready for $what"
