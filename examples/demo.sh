#!/usr/bin/env bash
# The demo: the built agent brings a throwaway copy of examples/hello to life in chroot mode,
# inside a private mount namespace, with a loop device as its persistent disk. Run as root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
agent="$repo/dist/cloudlet-agent"
[ -x "$agent" ] || { echo "demo: $agent is missing; run 'npm run build' first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it mounts tmpfs, a loop device and binds in a private namespace)" >&2; exit 1; }

if ! dpkg -s busybox-static >/dev/null 2>&1; then
  echo "demo: installing busybox-static (the example image's shell)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
fi
busybox=/bin/busybox

work=$(mktemp -d /tmp/cloudlet-demo.XXXXXX)
loop=""
cleanup() {
  [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

root="$work/root"
cp -a "$here/hello/rootfs" "$root"
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/var/cache/hello"
mkdir -m 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for tool in sh cat sed grep echo ls mkdir; do ln -sf busybox "$root/bin/$tool"; done

truncate -s 64M "$work/data.img"
loop=$(losetup -f --show "$work/data.img")
python3 - "$here/hello/user-data.json" "$work/user-data.json" "$loop" <<'PY'
import json, sys
ud = json.load(open(sys.argv[1]))
ud["storage"] = {"device": sys.argv[3]}
json.dump(ud, open(sys.argv[2], "w"), indent=2)
PY

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cloudlet-agent --version"
"$agent" --version

step "cloudlet-agent validate --root <image> --user-data user-data.json"
"$agent" validate --root "$root" --user-data "$work/user-data.json"

step "cloudlet-agent check --root <image> --entrypoint chroot"
"$agent" check --root "$root" --entrypoint chroot

step "cloudlet-agent run --dry-run (the plan; nothing changes)"
"$agent" run --root "$root" --user-data "$work/user-data.json" --entrypoint chroot --dry-run --run-dir "$work/run"

for boot in 1 2; do
  step "boot $boot: cloudlet-agent chroot --root <image> (persistent disk $loop)"
  unshare -m --propagation private bash -c '
    set -e
    mount -t proc proc "$1/proc"
    "$2" chroot --root "$1" --user-data "$3" --run-dir "$4"
  ' demo "$root" "$agent" "$work/user-data.json" "$work/run"
done

step "what the agent recorded (status.json, secrets never appear)"
cat "$work/run/cloudlet/status.json"
if grep -rq 's3cret-demo-password' "$work/run"; then echo "demo: the secret leaked into $work/run" >&2; exit 1; fi
step "cloudlet-agent analyze"
"$agent" analyze --run-dir "$work/run"
echo
echo "demo: done (the image copy, its disk and the run directory are removed now)"
