"""Where bpftrace's tracepoints find tracefs (bench/run and the tests that run bpftrace).

bpftrace 0.17 reads tracepoint formats from /sys/kernel/tracing, else /sys/kernel/debug/tracing.
When tracefs is mounted at either, bpftrace runs as it is; when it is not, in a private mount
namespace that mounts it and ends with bpftrace (no mount is left behind). Mounting it again
where it is mounted fails ("already mounted or mount point busy"): never try.
"""
TRACEFS_PATHS = ("/sys/kernel/tracing", "/sys/kernel/debug/tracing")


def tracefs_mounted(mounts_text):
    """Whether /proc/mounts text has tracefs where bpftrace looks for it."""
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[1] in TRACEFS_PATHS and fields[2] == "tracefs":
            return True
    return False


def bpftrace_argv(args, mounts_path="/proc/self/mounts"):
    """The command line that runs `bpftrace ARGS...` with tracefs in reach (one process: the
    wrapper execs bpftrace, so its pid is bpftrace's)."""
    with open(mounts_path) as f:
        if tracefs_mounted(f.read()):
            return ["bpftrace", *args]
    return ["unshare", "-m", "--propagation", "private", "sh", "-c",
            f'mount -t tracefs nodev {TRACEFS_PATHS[0]} && exec bpftrace "$@"', "sh", *args]
