#!/bin/sh
# dracut pre-pivot hook: runs cloudlet-agent from the real root ($NEWROOT, /sysroot) against it.
# dracut sources hooks, so this file never calls exit: everything happens in a function that returns.

type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh

cloudlet_agent_run() {
    local root="${NEWROOT:-/sysroot}"
    local agent=/usr/lib/cloudlet/cloudlet-agent
    local bound="" dir rc

    [ -x "${root}${agent}" ] || return 0
    [ -e "${root}/.cloudlet/manifest" ] || return 0
    getargbool 1 cloudlet.hook || return 0

    # The root may be read-only here: the mountpoints must exist in the image, nothing is created.
    for dir in dev proc sys run; do
        if ! mount -o bind "/${dir}" "${root}/${dir}"; then
            warn "cloudlet-agent: cannot bind /${dir} into ${root}"
            for d in ${bound}; do umount "${root}/${d}"; done
            die "cloudlet-agent: cannot prepare ${root} (missing /${dir} in the image?)"
            return 1
        fi
        bound="${dir} ${bound}"
    done

    info "Running cloudlet-agent"
    chroot "${root}" "${agent}" run --entrypoint init --kmsg
    rc=$?
    for dir in ${bound}; do
        umount "${root}/${dir}" || warn "cloudlet-agent: could not unmount ${root}/${dir}"
    done

    # 0 done, 4 degraded (onError "continue" or an optional step failed): boot on.
    [ "${rc}" -eq 0 ] || [ "${rc}" -eq 4 ] && return 0

    # The agent printed the one clear error above; apply the manifest's onError.
    if grep -q '"onError"[[:space:]]*:[[:space:]]*"shell"' "${root}/.cloudlet/manifest"; then
        warn "cloudlet-agent failed (exit ${rc}); onError is \"shell\""
        emergency_shell -n cloudlet-agent "cloudlet-agent failed: fix the cause above, then reboot"
        return 0
    fi
    # stderr: under systemd the hook's stdout goes only to the journal, its stderr to the console too.
    echo "cloudlet-agent failed (exit ${rc}): boot halted (onError \"halt\"). Fix the cause above and reboot." >&2
    while :; do
        sleep 60
        echo "cloudlet-agent: boot halted, see the error above" >&2
    done
}

cloudlet_agent_run
