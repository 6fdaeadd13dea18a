#!/usr/bin/env bash
# Builds the cached cloud-init variant of the Debian base, for the boot-time comparison only: the
# initramfs-tools base with Debian's cloud-init installed and told to look only at a NoCloud seed
# baked into the image: .cache/vm/debian/<kver>/cloud-init/base.tar.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/debian-variant.sh"
need_cmd chroot unshare tar

# Only the baked seed: no network datasource is probed (the guest has no network).
variant_finish() {
  mkdir -p "$1/etc/cloud/cloud.cfg.d"
  printf 'datasource_list: [ NoCloud, None ]\n' > "$1/etc/cloud/cloud.cfg.d/90_dpkg.cfg"
}

build_variant cloud-init cloud-init "" "${BASH_SOURCE[0]}"
