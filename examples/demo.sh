#!/usr/bin/env bash
# The demo, both halves: the built agent brings a throwaway copy of examples/hello to life in chroot mode
# (a private mount namespace, a loop device as its persistent disk, a NoCloud seed on another one with
# the user data and an SSH key), then cloudlet validates it, keeps two versions of it as snapshots and
# bakes it. Run as root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
agent="$repo/dist/cloudlet-agent"
cloudlet="$repo/dist/cloudlet"
for exe in "$agent" "$cloudlet"; do
  [ -x "$exe" ] || { echo "demo: $exe is missing; run 'npm run build' first" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it mounts tmpfs, a loop device and binds in a private namespace)" >&2; exit 1; }

if ! dpkg -s busybox-static >/dev/null 2>&1; then
  echo "demo: installing busybox-static (the example image's shell)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
fi
busybox=/bin/busybox

work=$(mktemp -d /tmp/cloudlet-demo.XXXXXX)
loop=""
seed_loop=""
cleanup() {
  [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null || true
  [ -n "$seed_loop" ] && losetup -d "$seed_loop" 2>/dev/null || true
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

# A NoCloud seed (a vfat volume labelled CIDATA) carries the same user data, and meta-data with an
# instance id and a public key, as a cloud would hand them to the machine.
mkdir "$work/seed"
cp "$work/user-data.json" "$work/seed/user-data"
cat >"$work/seed/meta-data" <<'META'
instance-id: hello-demo-1
local-hostname: hello-demo
public-keys:
  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILApc1ukAdaLxgjAyXtDJ8SZHs5S5l5kuzIvuzulIhhV demo@example
  - not-a-key AAAA this line is skipped with a warning
META
mkfs.vfat -C -n CIDATA "$work/seed.img" 1024 >/dev/null
mcopy -i "$work/seed.img" "$work/seed/user-data" "$work/seed/meta-data" ::
seed_loop=$(losetup -f --show -r "$work/seed.img")

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cloudlet-agent --version"
"$agent" --version

step "cloudlet-agent validate --root <image> --user-data user-data.json"
"$agent" validate --root "$root" --user-data "$work/user-data.json"

step "cloudlet-agent check --root <image> --entrypoint chroot"
"$agent" check --root "$root" --entrypoint chroot

step "cloudlet-agent run --dry-run (the plan, with the hostname the run would give the image; nothing changes)"
"$agent" run --root "$root" --user-data "$work/user-data.json" --entrypoint chroot --dry-run --run-dir "$work/run"

for boot in 1 2; do
  step "boot $boot: cloudlet-agent chroot --root <image> (NoCloud seed $seed_loop, persistent disk $loop)"
  unshare -m --propagation private bash -c '
    set -e
    mount -t proc proc "$1/proc"
    "$2" chroot --root "$1" --run-dir "$3"
  ' demo "$root" "$agent" "$work/run"
  step "after boot $boot: root's authorized_keys (\"once\": rendered on the first boot only)"
  cat "$root/root/.ssh/authorized_keys"
  if [ "$boot" = 1 ]; then
    echo "# added by root after the first boot: the next boot keeps it" >>"$root/root/.ssh/authorized_keys"
  fi
done

step "what the agent recorded (status.json, secrets never appear)"
cat "$work/run/cloudlet/status.json"
if grep -rq 's3cret-demo-password' "$work/run"; then echo "demo: the secret leaked into $work/run" >&2; exit 1; fi
step "cloudlet-agent analyze"
"$agent" analyze --run-dir "$work/run"

# The other half, on the build host. The example has no kernel; a bakeable variant borrows this host's,
# and its manifest (given beside the image with --manifest) gains the kernel entry point.
bake="$work/bake"
step "cloudlet validate --root <image> --user-data user-data.json (the agent's report, on the build host)"
"$cloudlet" validate --root "$here/hello/rootfs" --user-data "$here/hello/user-data.json"

# Versions of the image as snapshots in an OCI image layout (skopeo, umoci and registries read it).
store="$work/store"
mkdir -p "$work/v2"
cp -a "$here/hello/rootfs/." "$work/v2/"
step "cloudlet snapshot <image> --tag hello:1.2.0 (a store in the OCI image layout)"
"$cloudlet" snapshot "$here/hello/rootfs" --tag hello:1.2.0 --store "$store"
echo 'Welcome to hello 1.3.0' > "$work/v2/etc/issue"
rm -f "$work/v2/root/.ssh/authorized_keys"
step "cloudlet snapshot <changed copy> --parent hello:1.2.0 --tag hello:1.3.0 (only what changed: one small layer)"
"$cloudlet" snapshot "$work/v2" --parent hello:1.2.0 --tag hello:1.3.0 --store "$store"
step "cloudlet log --tree; cloudlet diff hello:1.2.0 hello:1.3.0"
"$cloudlet" log --tree --store "$store"
"$cloudlet" diff hello:1.2.0 hello:1.3.0 --store "$store"
step "cloudlet checkout hello:1.2.0 <dir>: the first version back, exactly"
"$cloudlet" checkout hello:1.2.0 "$work/v1-again" --store "$store"
diff -r "$here/hello/rootfs" "$work/v1-again" && echo "demo: the checkout equals the image"

kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$kernel" ]; then
  step "cloudlet bake: skipped"
  echo "demo: this host has no /boot/vmlinuz-* to lend the kernel-less example, so the bake is skipped;"
  echo "demo: docs/getting-started.md makes a Debian image with its own kernel, bakes it and boots it in QEMU"
else
  kver=${kernel#/boot/vmlinuz-}
  mkdir -p "$bake"
  cp -a "$here/hello/rootfs" "$bake/image"
  mkdir -p "$bake/image/boot"
  cp "$kernel" "$bake/image/boot/vmlinuz"
  initrd=""
  if [ -r "/boot/initrd.img-$kver" ]; then cp "/boot/initrd.img-$kver" "$bake/image/boot/initrd.img"; initrd=/boot/initrd.img; fi
  python3 - "$here/hello/rootfs/.cloudlet/manifest" "$bake/manifest.json" "$initrd" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
kernel = {"path": "/boot/vmlinuz", "requires": {"arch": "x86_64"}}
if sys.argv[3]:
    kernel["initrd"] = sys.argv[3]
m["entrypoints"]["kernel"] = kernel
json.dump(m, open(sys.argv[2], "w"), indent=2)
PY
  step "cloudlet bake <image> --manifest manifest.json --target raw,qcow2,vmdk --dry-run (kernel $kver from this host; the plan, nothing written)"
  "$cloudlet" bake "$bake/image" --manifest "$bake/manifest.json" --target raw,qcow2,vmdk --out "$bake/out" --cache "$bake/cache" --dry-run
  step "cloudlet bake <image> --manifest manifest.json --target raw,qcow2"
  "$cloudlet" bake "$bake/image" --manifest "$bake/manifest.json" --target raw,qcow2 --out "$bake/out" --cache "$bake/cache"
  step "the same bake again: a cache hit, the same bytes"
  "$cloudlet" bake "$bake/image" --manifest "$bake/manifest.json" --target raw,qcow2 --out "$bake/out" --cache "$bake/cache"
  echo "demo: boot a baked image in QEMU and see the agent's run on its console: docs/getting-started.md"
fi
echo
echo "demo: done (the image copies, their disks and the run directory are removed now)"
