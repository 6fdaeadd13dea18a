# Shared helpers of the VM setup scripts: cache location, logging, apt look-ups, the host's mirror.
# Sourced, not run.

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
VM_CACHE="${CLOUDLET_VM_CACHE:-$REPO/.cache/vm}"
mkdir -p "$VM_CACHE"

say() { printf '[vm-setup] %s\n' "$*" >&2; }
die() { printf '[vm-setup] error: %s\n' "$*" >&2; exit 1; }

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is missing: install the packages in test/vm/apt-packages.txt (apt-get install -y --no-install-recommends \$(cat test/vm/apt-packages.txt))"
  done
}

# The package an apt meta-package depends on (e.g. linux-image-cloud-amd64 -> linux-image-6.1.0-NN-cloud-amd64).
# Refreshes the package lists once when apt knows nothing yet.
apt_resolve_dep() {
  local meta="$1" dep
  dep="$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')"
  if [ -z "$dep" ]; then
    say "apt-cache knows no $meta: running apt-get update"
    apt-get update -q >&2
    dep="$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')"
  fi
  [ -n "$dep" ] || die "cannot resolve $meta with apt-cache depends"
  printf '%s\n' "$dep"
}

# The host's Debian mirror for the main suite, read from its apt sources at run time (never stored).
host_mirror() {
  local url=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    url="$(awk '
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i !~ /-security$/ && $i !~ /-updates$/ && $i !~ /-backports$/) ok = 1 }
      /^$/ { if (ok && uri != "" && !found) { print uri; found = 1 } uri = ""; ok = 0 }
      END { if (ok && uri != "" && !found) print uri }
    ' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$url" ]; then
    url="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }')"
  fi
  [ -n "$url" ] || die "no Debian mirror found in the host's apt sources"
  printf '%s\n' "$url"
}

# Whether the cache entry DIR was built with STAMP (DIR/done holds it).
cache_current() {
  [ -f "$1/done" ] && [ "$(cat "$1/done")" = "$2" ]
}

# Runs the bash SCRIPT as root of the tree ROOT (/proc, /dev and /sys mounted, a clean environment),
# inside a private mount namespace so nothing stays mounted on the host, whatever happens.
in_chroot() {
  unshare -m --propagation private bash -euo pipefail -c '
    root="$1"
    mount -t proc proc "$root/proc"
    mount --bind /dev "$root/dev"
    mount -t sysfs sys "$root/sys"
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
      bash -euo pipefail -c "$2"
  ' _ "$1" "$2"
}

# The kernel version prepared by kernel.sh.
kernel_version() {
  [ -f "$VM_CACHE/kernel/current" ] || die "no kernel prepared: run test/vm/setup/kernel.sh first"
  cat "$VM_CACHE/kernel/current"
}
