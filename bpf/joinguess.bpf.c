// SPDX-License-Identifier: GPL-2.0
/* The inferred-join part's map, declared in joinguess.bpf.h, defined once. */
#include "joinguess.bpf.h"

struct last_wake_map last_wake SEC(".maps");
bool last_wake_used;
