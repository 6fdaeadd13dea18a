#!/usr/bin/env bash
# `npm run package`: builds dist/cloudlet-agent_<version>_amd64.deb from the built executable and the
# boot glue in initramfs/ and systemd/, read at build time (every file there is shipped).
#
# Env: DEB_COMPRESSION=xz|gzip|zstd|none (default xz: smallest; gzip builds about 3x faster).
#      DEB_OUTPUT=FILE to write the package elsewhere than dist/ (tests do).
#      DEB_AGENT=FILE to package another executable than dist/cloudlet-agent (tests do).
#      DEB_MAINTAINER="Name <address>" for the Maintainer field of a published package.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
agent=${DEB_AGENT:-"$repo/dist/cloudlet-agent"}
compression=${DEB_COMPRESSION:-xz}
maintainer=${DEB_MAINTAINER:-cloudlet-agent maintainers <cloudlet-agent@example.org>}

die() { echo "package: $*" >&2; exit 1; }

[ -x "$agent" ] || die "$agent is missing: run 'npm run build' first ('npm run package' does)"
licences="$repo/dist/THIRD-PARTY-LICENSES"
[ -f "$licences" ] || die "$licences is missing: run 'npm run build' first (it writes it beside the executable)"
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing: apt-get install -y dpkg"

version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo/package.json")
[ -n "$version" ] || die "no version in package.json"
# A semver pre-release (1.0.0-rc.1) sorts before its release in Debian only with "~".
deb_version=${version//-/\~}
deb=${DEB_OUTPUT:-"$repo/dist/cloudlet-agent_${version}_amd64.deb"}

stage=$(mktemp -d /tmp/cloudlet-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"

# The executable, and the name on PATH that init= and the hooks use.
install -D -m 0755 "$agent" "$stage/usr/lib/cloudlet/cloudlet-agent"
mkdir -p "$stage/usr/sbin"
ln -s ../lib/cloudlet/cloudlet-agent "$stage/usr/sbin/cloudlet-agent"

# initramfs-tools runs hooks and scripts with run-parts rules: a name with a dot is silently skipped.
valid_part_name() { [[ $1 =~ ^[A-Za-z0-9_-]+$ ]] || die "initramfs-tools would ignore '$2' (names may hold only A-Z a-z 0-9 _ -)"; }
itools="$repo/initramfs/initramfs-tools"
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

install -D -m 0644 "$licences" "$stage/usr/share/doc/cloudlet-agent/THIRD-PARTY-LICENSES"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
install -D -m 0644 /dev/stdin "$stage/usr/share/doc/cloudlet-agent/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: cloudlet-agent

Files: *
Copyright: $(date -u -d "@$SOURCE_DATE_EPOCH" +%Y) cloudlet-agent contributors
License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
Comment: /usr/lib/cloudlet/cloudlet-agent embeds the Node.js runtime and npm
 packages, each under its own licence: their texts are in
 /usr/share/doc/cloudlet-agent/THIRD-PARTY-LICENSES.
EOF

changelog="$stage/usr/share/doc/cloudlet-agent/changelog.gz"
printf 'cloudlet-agent (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
  "$deb_version" "$version" "$maintainer" "$(date -R -u -d "@$SOURCE_DATE_EPOCH")" | gzip -9n >"$changelog"
chmod 0644 "$changelog"

# Findings that come with the official Node binary inside the executable, not with this package.
install -D -m 0644 /dev/stdin "$stage/usr/share/lintian/overrides/cloudlet-agent" <<EOF
# The executable is the official Node.js binary with the agent injected: upstream links zlib
# statically and builds without PIE.
cloudlet-agent: embedded-library zlib [usr/lib/cloudlet/cloudlet-agent]
cloudlet-agent: hardening-no-pie [usr/lib/cloudlet/cloudlet-agent]
# prerm disables, on removal only, the units an administrator enabled.
cloudlet-agent: maintainer-script-calls-systemctl [prerm:*]
EOF

mkdir -m 0755 "$stage/DEBIAN"
installed_kib=$(du -sk --apparent-size "$stage/usr" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: cloudlet-agent
Version: $deb_version
Architecture: amd64
Maintainer: $maintainer
Installed-Size: $installed_kib
Depends: libc6 (>= 2.28), libstdc++6 (>= 5), libgcc-s1
Section: admin
Priority: optional
Description: in-guest boot agent for Cloudlet images
 Brings a Cloudlet image to life at boot: reads /.cloudlet/manifest, fetches
 and validates user data, checks requirements, mounts persistent and volatile
 paths, renders templates, then hands over to the real init. Ships the single
 executable, the initramfs-tools hook, the dracut module and the systemd units.
EOF
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
for script in postinst prerm postrm; do
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
grep -q ' \./usr/lib/cloudlet/cloudlet-agent$' <<<"$listing" || die "the .deb lacks usr/lib/cloudlet/cloudlet-agent"
[ "$(dpkg-deb --field "$deb" Package)" = cloudlet-agent ] || die "control field Package is wrong"
echo "package: $deb ($(du -h "$deb" | cut -f1), $(wc -l <<<"$listing") entries, units: ${units[*]:-none})"
