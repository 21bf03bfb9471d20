/*
 * Inside a PID namespace (a container) the kernel side filters by the
 * target's host tgid, which /proc there does not show: a one-shot BPF task
 * iterator (bpf/pidfind.bpf.c) finds it, with the namespace's level and
 * inode that the tracer numbers ids by. On the host nothing is loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pidns.h"
#include "pidfind.skel.h"

/* the initial PID namespace's inode (include/linux/proc_ns.h, PROC_PID_INIT_INO) */
#define PID_INIT_INO 0xEFFFFFFCu

static int iterate(struct pidfind_bpf *skel)
{
	struct bpf_link *link = bpf_program__attach_iter(skel->progs.find_task, NULL);
	char buf[256];
	ssize_t n;
	int fd, err = 0;

	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		bpf_link__destroy(link);
		return err;
	}
	/* the program writes nothing; reading to the end runs it over every task */
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		;
	if (n < 0)
		err = -errno;
	close(fd);
	bpf_link__destroy(link);
	return err;
}

int pidns__resolve(pid_t tgid, struct tt_pidns *out, char *why, size_t len)
{
	struct pidfind_bpf *skel;
	struct stat st;
	int err;

	*out = (struct tt_pidns){ .host_tgid = tgid };
	if (stat("/proc/self/ns/pid", &st)) {
		err = -errno;
		snprintf(why, len, "cannot read /proc/self/ns/pid: %s", strerror(errno));
		return err;
	}
	if (st.st_ino == PID_INIT_INO)
		return 0;
	skel = pidfind_bpf__open();
	if (!skel) {
		err = -errno;
		snprintf(why, len, "cannot open the PID namespace finder: %s", strerror(errno));
		return err;
	}
	skel->rodata->want_nr = (uint32_t)tgid;
	err = pidfind_bpf__load(skel);
	if (!err)
		err = iterate(skel);
	if (err) {
		snprintf(why, len, "cannot find the host pid of %d in this PID namespace: %s", (int)tgid,
			 strerror(-err));
	} else if (skel->bss->ns_inum != (uint32_t)st.st_ino) {
		/* never seen: the iterator read another namespace than /proc/self/ns/pid */
		snprintf(why, len, "PID namespace %u is not /proc/self/ns/pid's (%lu)", skel->bss->ns_inum,
			 (unsigned long)st.st_ino);
		err = -EINVAL;
	} else if (!skel->bss->found) {
		snprintf(why, len, "process %d: not found in this PID namespace", (int)tgid);
		err = -ESRCH;
	} else {
		out->level = skel->bss->ns_level;
		out->inum = skel->bss->ns_inum;
		out->host_tgid = (pid_t)skel->bss->host_tgid;
	}
	pidfind_bpf__destroy(skel);
	return err;
}
