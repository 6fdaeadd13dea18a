#!/bin/bash
# dracut module for cloudlet-agent: a pre-pivot hook that runs the agent from the real root in a chroot.
# The agent itself (about 100 MB) stays on the root filesystem and is never copied into the initramfs.

# Included whenever the agent is installed on the root the initramfs is built for.
check() {
    [[ -x "${dracutsysrootdir-}/usr/lib/cloudlet/cloudlet-agent" ]] || return 1
    return 0
}

depends() {
    echo base
    return 0
}

install() {
    inst_multiple chroot mount umount grep sleep
    inst_hook pre-pivot 90 "$moddir/cloudlet-agent-pre-pivot.sh"
}
