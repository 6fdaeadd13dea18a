#!/usr/bin/env bash
# `npm run package`: builds the Debian package of one program from its built executable.
#   cloudlet-agent (default): dist/cloudlet-agent_<version>_amd64.deb, the agent and the boot glue in
#     initramfs/ and systemd/, read at build time (every file there is shipped).
#   cloudlet: dist/cloudlet_<version>_amd64.deb, the host program as /usr/bin/cloudlet; it depends on
#     the agent's package of the same version (bake copies /usr/lib/cloudlet/cloudlet-agent into
#     images) and on the Debian tools bake runs.
#   Both: the manual page (section 1) and the bash, zsh and fish completions the executable generates.
#
# Usage: bash build/package-deb.sh [cloudlet-agent|cloudlet]
# Env: DEB_COMPRESSION=xz|gzip|zstd|none (default xz: smallest; gzip builds about 3x faster).
#      DEB_OUTPUT=FILE to write the package elsewhere than dist/ (tests do).
#      DEB_AGENT=FILE, DEB_CLOUDLET=FILE to package another executable than dist/<program> (tests do).
#      DEB_MAINTAINER="Name <address>" for the Maintainer field of a published package.
set -euo pipefail

package=${1:-cloudlet-agent}
repo=$(cd "$(dirname "$0")/.." && pwd)
compression=${DEB_COMPRESSION:-xz}
maintainer=${DEB_MAINTAINER:-cloudlet-agent maintainers <cloudlet-agent@example.org>}

die() { echo "package: $*" >&2; exit 1; }

case "$package" in
  cloudlet-agent) executable=${DEB_AGENT:-"$repo/dist/cloudlet-agent"} ;;
  cloudlet) executable=${DEB_CLOUDLET:-"$repo/dist/cloudlet"} ;;
  *) die "no package '$package': use cloudlet-agent or cloudlet" ;;
esac
[ -x "$executable" ] || die "$executable is missing: run 'npm run build' first ('npm run package' does)"
licences="$repo/dist/$package.THIRD-PARTY-LICENSES"
[ -f "$licences" ] || die "$licences is missing: run 'npm run build' first (it writes it beside the executable)"
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing: apt-get install -y dpkg"

version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo/package.json")
[ -n "$version" ] || die "no version in package.json"
# A semver pre-release (1.0.0-rc.1) sorts before its release in Debian only with "~".
deb_version=${version//-/\~}
deb=${DEB_OUTPUT:-"$repo/dist/${package}_${version}_amd64.deb"}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}

stage=$(mktemp -d /tmp/cloudlet-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
doc="$stage/usr/share/doc/$package"

# What the Node binary inside every executable links.
node_depends='libc6 (>= 2.28), libstdc++6 (>= 5), libgcc-s1'

# The agent: the executable, the name on PATH that init= and the hooks use, and the boot glue.
stage_agent() {
  installed=usr/lib/cloudlet/cloudlet-agent
  install -D -m 0755 "$executable" "$stage/$installed"
  mkdir -p "$stage/usr/sbin"
  ln -s ../lib/cloudlet/cloudlet-agent "$stage/usr/sbin/cloudlet-agent"

  # initramfs-tools runs hooks and scripts with run-parts rules: a name with a dot is silently skipped.
  valid_part_name() { [[ $1 =~ ^[A-Za-z0-9_-]+$ ]] || die "initramfs-tools would ignore '$2' (names may hold only A-Z a-z 0-9 _ -)"; }
  local itools="$repo/initramfs/initramfs-tools" hook phase_dir phase script module name file mode
  for hook in "$itools"/hooks/*; do
    [ -f "$hook" ] || continue
    valid_part_name "$(basename "$hook")" "$hook"
    install -D -m 0755 "$hook" "$stage/usr/share/initramfs-tools/hooks/$(basename "$hook")"
  done
  for phase_dir in "$itools"/scripts/*/; do
    [ -d "$phase_dir" ] || continue
    phase=$(basename "$phase_dir")
    case "$phase" in
      init-top | init-premount | init-bottom | local-top | local-block | local-premount | local-bottom | nfs-top | nfs-premount | nfs-bottom | panic) ;;
      *) die "initramfs/initramfs-tools/scripts/$phase is not an initramfs-tools boot phase" ;;
    esac
    for script in "$phase_dir"*; do
      [ -f "$script" ] || continue
      valid_part_name "$(basename "$script")" "$script"
      install -D -m 0755 "$script" "$stage/usr/share/initramfs-tools/scripts/$phase/$(basename "$script")"
    done
  done

  # dracut modules: one directory each (NNname/), module-setup.sh required; scripts stay executable.
  for module in "$repo"/initramfs/dracut/*/; do
    [ -d "$module" ] || continue
    name=$(basename "$module")
    [[ $name =~ ^[0-9][0-9][A-Za-z0-9_-]+$ ]] || die "dracut module directory '$name' must be named NNname"
    [ -f "$module/module-setup.sh" ] || die "initramfs/dracut/$name has no module-setup.sh"
    for file in "$module"*; do
      [ -f "$file" ] || continue
      mode=0644
      if [[ $file == *.sh ]] || [ -x "$file" ] || head -c2 "$file" | grep -q '^#!'; then mode=0755; fi
      install -D -m "$mode" "$file" "$stage/usr/lib/dracut/modules.d/$name/$(basename "$file")"
    done
  done

  # systemd units (and their drop-in directories); other files (notes) are not units and stay out.
  units=()
  for file in "$repo"/systemd/*; do
    [ -e "$file" ] || continue
    name=$(basename "$file")
    case "$name" in
      *.service | *.socket | *.target | *.path | *.timer | *.mount)
        install -D -m 0644 "$file" "$stage/usr/lib/systemd/system/$name"
        units+=("$name")
        ;;
      *.d)
        for dropin in "$file"/*.conf; do
          [ -f "$dropin" ] && install -D -m 0644 "$dropin" "$stage/usr/lib/systemd/system/$name/$(basename "$dropin")"
        done
        ;;
      *) echo "package: skipping systemd/$name (not a unit)" >&2 ;;
    esac
  done

  section=admin
  depends=$node_depends
  summary='in-guest boot agent for Cloudlet images'
  description=' Brings a Cloudlet image to life at boot: reads /.cloudlet/manifest, fetches
 and validates user data, checks requirements, mounts persistent and volatile
 paths, renders templates, then hands over to the real init. Ships the single
 executable, the initramfs-tools hook, the dracut module and the systemd units.'
  extra_overrides='# prerm disables, on removal only, the units an administrator enabled.
cloudlet-agent: maintainer-script-calls-systemctl [prerm:*]'
  maintainer_scripts=(postinst prerm postrm)
  summary_line="units: ${units[*]:-none}"
}

# The host program. Its tools (by command): qemu-img (qemu-utils), mkfs.ext4 (e2fsprogs), mkfs.vfat
# (dosfstools), mcopy/mmd (mtools), sfdisk (fdisk), the syslinux installer (syslinux) and its gptmbr.bin
# and modules (syslinux-common), systemd-boot's EFI loader (systemd-boot-efi), zstd and xz for tarballs,
# xmllint (libxml2-utils) to check OVF descriptors, getfattr and setfattr (attr) for extended attributes.
stage_cloudlet() {
  installed=usr/bin/cloudlet
  install -D -m 0755 "$executable" "$stage/$installed"
  section=admin
  depends="cloudlet-agent (= $deb_version), $node_depends, qemu-utils, e2fsprogs, dosfstools, mtools, fdisk, syslinux, syslinux-common, systemd-boot-efi, zstd, xz-utils, libxml2-utils, attr"
  summary='host tool for Cloudlet images: validate, bake bootable disks'
  description=' Checks Cloudlet images and their manifests on the build host with the same
 rules as the in-guest agent, and bakes an image into bootable disks (raw,
 qcow2, vmdk, ova, vhd, vhdx, gce, ami, xen) from files, without loop devices
 or mounts, with the agent of the same version baked in.'
  extra_overrides=''
  maintainer_scripts=()
  summary_line="executable: /$installed"
}

case "$package" in
  cloudlet-agent) stage_agent ;;
  cloudlet) stage_cloudlet ;;
esac

# The manual page and the bash, zsh and fish completions, generated by the executable from its command
# table: a command added to the table is in them with no edit here.
stage_generated_docs() {
  local shell out
  "$executable" man >"$stage/man.1" || die "\"$package man\" failed"
  if command -v mandoc >/dev/null; then
    mandoc -Tlint -Wwarning "$stage/man.1" >&2 || die "the manual page of $package has roff problems (mandoc -Tlint above)"
  fi
  install -d -m 0755 "$stage/usr/share/man/man1"
  gzip -9n <"$stage/man.1" >"$stage/usr/share/man/man1/$package.1.gz"
  chmod 0644 "$stage/usr/share/man/man1/$package.1.gz"
  rm "$stage/man.1"
  for shell in bash zsh fish; do
    case "$shell" in
      bash) out="$stage/usr/share/bash-completion/completions/$package" ;;
      zsh) out="$stage/usr/share/zsh/vendor-completions/_$package" ;;
      fish) out="$stage/usr/share/fish/vendor_completions.d/$package.fish" ;;
    esac
    install -d -m 0755 "$(dirname "$out")"
    "$executable" completion "$shell" >"$out" || die "\"$package completion $shell\" failed"
    chmod 0644 "$out"
  done
  bash -n "$stage/usr/share/bash-completion/completions/$package" || die "the bash completion of $package has a syntax error"
}
stage_generated_docs

install -D -m 0644 "$licences" "$doc/THIRD-PARTY-LICENSES"
install -D -m 0644 /dev/stdin "$doc/copyright" <<EOF_COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $package

Files: *
Copyright: $(date -u -d "@$SOURCE_DATE_EPOCH" +%Y) cloudlet-agent contributors
License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
Comment: /$installed embeds the Node.js runtime and npm
 packages, each under its own licence: their texts are in
 /usr/share/doc/$package/THIRD-PARTY-LICENSES.
EOF_COPYRIGHT

changelog="$doc/changelog.gz"
printf '%s (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
  "$package" "$deb_version" "$version" "$maintainer" "$(date -R -u -d "@$SOURCE_DATE_EPOCH")" | gzip -9n >"$changelog"
chmod 0644 "$changelog"

# Findings that come with the official Node binary inside the executable, not with this package.
overrides="$stage/usr/share/lintian/overrides/$package"
install -D -m 0644 /dev/stdin "$overrides" <<EOF_OVERRIDES
# The executable is the official Node.js binary with the program injected: upstream links zlib
# statically and builds without PIE.
$package: embedded-library zlib [$installed]
$package: hardening-no-pie [$installed]
EOF_OVERRIDES
if [ -n "$extra_overrides" ]; then printf '%s\n' "$extra_overrides" >>"$overrides"; fi

mkdir -m 0755 "$stage/DEBIAN"
installed_kib=$(du -sk --apparent-size "$stage/usr" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF_CONTROL
Package: $package
Version: $deb_version
Architecture: amd64
Maintainer: $maintainer
Installed-Size: $installed_kib
Depends: $depends
Section: $section
Priority: optional
Description: $summary
$description
EOF_CONTROL
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
for script in "${maintainer_scripts[@]}"; do
  sed "s/@UNITS@/${units[*]:-}/" "$repo/build/deb/$script" >"$stage/DEBIAN/$script"
  chmod 0755 "$stage/DEBIAN/$script"
  sh -n "$stage/DEBIAN/$script" || die "DEBIAN/$script has a syntax error"
done

dpkg-deb --root-owner-group -Z"$compression" --build "$stage" "$deb.partial" >/dev/null
mv "$deb.partial" "$deb"

# Lint: the archive must read back, with the executable and the fields this script wrote.
dpkg-deb --info "$deb"
listing=$(dpkg-deb -c "$deb")
echo "$listing"
grep -q " \./$installed\$" <<<"$listing" || die "the .deb lacks $installed"
[ "$(dpkg-deb --field "$deb" Package)" = "$package" ] || die "control field Package is wrong"
echo "package: $deb ($(du -h "$deb" | cut -f1), $(wc -l <<<"$listing") entries, $summary_line)"
