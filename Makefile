# threadtrace: eBPF tracer of one process's threads.
# make [V=1] | make test | make demo | make clean | make install [PREFIX= DESTDIR=]

OUT      := build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
# x86-64 only: its system call numbers, registers and libc layouts are built in
# (bpf/platform.h); on another machine stop here rather than build a tracer that lies.
ARCH     := $(shell uname -m)
ifneq ($(ARCH),x86_64)
$(error threadtrace supports x86-64 only: this machine is $(ARCH); see docs/platform.md)
endif
PREFIX   ?= /usr/local

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
CPPFLAGS += -I$(OUT) -Ibpf -Iuser
LDLIBS   += -lbpf -ldw -lelf -lz -liberty
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror -I$(OUT) -Ibpf

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Files that define maps others use come first: libbpf 1.1's linker cannot
# resolve an extern map whose definition comes in a later file.
BPF_FIRST := bpf/common.bpf.c bpf/sched.bpf.c bpf/futex.bpf.c bpf/joinguess.bpf.c
# Its own object, run once before the tracer loads inside a PID namespace (user/pidns.c).
BPF_ALONE := bpf/pidfind.bpf.c
BPF_SRCS  := $(BPF_FIRST) $(filter-out $(BPF_FIRST) $(BPF_ALONE),$(sort $(wildcard bpf/*.bpf.c)))
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKEL      := $(OUT)/threadtrace.skel.h $(OUT)/pidfind.skel.h
USER_SRCS := $(wildcard user/*.c user/model/*.c user/view/*.c user/cpython/*.c)
# The CPython reader on its own, for tools/pystack (user/cpython/pyproc.h)
PY_OBJS   := $(patsubst %.c,$(OUT)/%.o,$(wildcard user/cpython/*.c) user/elfsym.c user/ehframe.c user/safeopen.c)
USER_OBJS := $(patsubst %.c,$(OUT)/%.o,$(USER_SRCS))
# Everything but main(): linked into the tool and into the unit tests.
LIB_SRCS  := $(filter-out user/main.c,$(USER_SRCS))
ASAN_OBJS := $(patsubst %.c,$(OUT)/asan/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
# CPython embedded from Debian's shared libpython (pyenv's layout): test_syms runs it.
# Debian's python3.11-config by full path: another python3.11-config may come first on PATH.
PYCONFIG  := /usr/bin/python3.11-config
DEMO_SRCS := $(wildcard demos/*.c)
DEMO_BINS := $(patsubst demos/%.c,$(OUT)/demos/%,$(DEMO_SRCS))
# C++ and Rust demos: built where g++ and rustc are (scripts/install-deps.sh --tests installs both;
# the tests that use them fail without them); skipped with one line otherwise.
CXX_FOUND  := $(shell command -v $(or $(CXX_DEMO),g++) 2>/dev/null)
RUSTC      ?= $(shell command -v rustc 2>/dev/null)
CXX_DEMO_BINS  := $(if $(CXX_FOUND),$(patsubst demos/%.cpp,$(OUT)/demos/%,$(wildcard demos/*.cpp)))
RUST_DEMO_BINS := $(if $(RUSTC),$(patsubst demos/%.rs,$(OUT)/demos/%,$(wildcard demos/*.rs)))
# Go demos: where Debian's golang-go is (install-deps.sh --tests); its build cache under $(OUT), no HOME needed.
GO         ?= $(shell command -v go 2>/dev/null)
GO_DEMO_BINS   := $(if $(GO),$(patsubst demos/%.go,$(OUT)/demos/%,$(wildcard demos/*.go)))

.PHONY: all demos unit tools test demo deps test-deps clean install fuzz fuzz-run bench bench-smoke
.DELETE_ON_ERROR:
# keep the sanitized objects between unit-test builds
.SECONDARY:

all: $(OUT)/threadtrace demos unit tools

tools: $(OUT)/tools/pystack

demos: $(DEMO_BINS) $(CXX_DEMO_BINS) $(RUST_DEMO_BINS) $(GO_DEMO_BINS)
	$(if $(CXX_FOUND),,@echo "g++ not found: the C++ demos are not built (scripts/install-deps.sh --tests)")
	$(if $(RUSTC),,@echo "rustc not found: the Rust demos are not built (scripts/install-deps.sh --tests)")
	$(if $(GO),,@echo "go not found: the Go demos are not built (scripts/install-deps.sh --tests)")
unit: $(UNIT_BINS) $(OUT)/tests/pyembed

# A missing libbpf-dev made clang crash (exit 139) on the first BPF object: say what is missing.
$(OUT)/vmlinux.h: | $(OUT)
	$(Q)for t in $(CLANG) $(BPFTOOL); do command -v $$t >/dev/null || { echo "$$t is missing: run scripts/install-deps.sh" >&2; exit 1; }; done
	$(Q)test -e /usr/include/bpf/bpf_helpers.h || { echo "libbpf-dev is missing (bpf/bpf_helpers.h): run scripts/install-deps.sh" >&2; exit 1; }
	$(call msg,GEN,$@)
	$(Q)vmlinux/gen.sh $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/threadtrace.bpf.o: $(BPF_OBJS)
	$(call msg,LINK-BPF,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUT)/threadtrace.skel.h: $(OUT)/threadtrace.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name threadtrace_bpf > $@

$(OUT)/pidfind.skel.h: $(OUT)/bpf/pidfind.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name pidfind_bpf > $@

# Objects may include the skeleton: it must exist before they compile.
$(OUT)/%.o: %.c | $(SKEL)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/threadtrace: $(USER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# Python threads and frames of a running CPython, read from outside (docs/python.md)
$(OUT)/tools/pystack: tools/pystack.c $(PY_OBJS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP $< $(PY_OBJS) -lelf -o $@

$(OUT)/asan/%.o: %.c | $(SKEL)
	@mkdir -p $(@D)
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -MMD -MP -c $< -o $@

$(OUT)/tests/%: tests/unit/%.c $(ASAN_OBJS)
	@mkdir -p $(@D)
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -MMD -MP $< $(ASAN_OBJS) $(LDLIBS) -o $@

$(OUT)/tests/pyembed: tests/unit/pyembed.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)test -x $(PYCONFIG) || { echo "$(PYCONFIG) is missing: run scripts/install-deps.sh" >&2; exit 1; }
	$(Q)$(CC) $(CFLAGS) -fPIE $$($(PYCONFIG) --includes) $< -pie $$($(PYCONFIG) --embed --ldflags) -o $@

$(OUT)/demos/%: demos/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -MMD -MP -pthread $< -o $@

# As distributions build them: optimized, no frame pointers (stacks need DWARF unwinding).
$(OUT)/demos/%: demos/%.cpp
	@mkdir -p $(@D)
	$(call msg,CXX,$@)
	$(Q)$(CXX_FOUND) -std=gnu++17 -O2 -g -fomit-frame-pointer -Wall -Wextra -Werror -pthread $< -o $@

$(OUT)/demos/%: demos/%.rs
	@mkdir -p $(@D)
	$(call msg,RUSTC,$@)
	$(Q)env -u MAKEFLAGS -u MFLAGS $(RUSTC) -O -g -C force-frame-pointers=no $< -o $@

$(OUT)/demos/%: demos/%.go
	@mkdir -p $(@D) $(OUT)/gocache
	$(call msg,GO,$@)
	$(Q)env -u MAKEFLAGS -u MFLAGS GOCACHE=$(abspath $(OUT)/gocache) GOFLAGS= GO111MODULE=off $(GO) build -o $@ $<

# Built as distributions build their packages: no frame pointers (stacks need DWARF unwinding).
$(OUT)/demos/nofp_%: demos/nofp_%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) -std=gnu11 -O2 -g -fomit-frame-pointer -Wall -Wextra -Werror -MMD -MP -pthread $< -o $@

$(OUT) $(OUT)/bpf:
	$(Q)mkdir -p $@

# Install the Debian packages the tool needs (deps), and the tests too (test-deps).
deps:
	$(Q)scripts/install-deps.sh

test-deps:
	$(Q)scripts/install-deps.sh --tests

# The README's first command: install, build the tool and the demos, trace a bundled demo.
demo: deps
	$(Q)$(MAKE) --no-print-directory $(OUT)/threadtrace demos
	$(OUT)/threadtrace -- $(OUT)/demos/mtsleep3

# The README's test command: what the tests need, everything built, the whole suite (real BPF, root).
test: test-deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/run.sh

# Overhead, capacity, start-up, memory, side by side with bpftrace (docs/performance.md)
bench: $(OUT)/threadtrace
	bench/run

bench-smoke: $(OUT)/threadtrace
	bench/run --smoke

# libFuzzer targets for what parses untrusted bytes (tests/fuzz/README.md)
fuzz: $(SKEL)
	$(Q)tests/fuzz/build.sh

fuzz-run: fuzz
	$(Q)tests/fuzz/build.sh run FUZZ_TIME=$(or $(FUZZ_TIME),60)

install: $(OUT)/threadtrace
	install -D -m 0755 $(OUT)/threadtrace $(DESTDIR)$(PREFIX)/sbin/threadtrace
	install -D -m 0644 docs/threadtrace.8 $(DESTDIR)$(PREFIX)/share/man/man8/threadtrace.8
	install -D -m 0755 scripts/tt-report $(DESTDIR)$(PREFIX)/bin/tt-report
	install -D -m 0755 scripts/tt-plot $(DESTDIR)$(PREFIX)/bin/tt-plot

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
