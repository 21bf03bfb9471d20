// SPDX-License-Identifier: GPL-2.0
/* The maps and tunables declared in common.bpf.h, defined once. */
#include "common.bpf.h"

const volatile __u32 targ_tgid = 0;
const volatile __u32 pidns_level = 0;
const volatile __u32 pidns_inum = 0;
const volatile __u32 targ_ns_tgid = 0;
const volatile bool follow_forks = false;
const volatile __u64 wakeup_bytes = 1 << 20;

struct events_map events SEC(".maps");
struct targets_map targets SEC(".maps");
struct drops_map drops SEC(".maps");
struct ns_tids_map ns_tids SEC(".maps");
struct tid_set_map py_exiting SEC(".maps");
bool py_exits_seen;
struct join_pending_map join_pending SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
