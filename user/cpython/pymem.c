/* process_vm_readv, with /proc/PID/mem as the fallback when it is refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>
#include "pymem.h"

/* x86_64 and arm64 user space ends below 2^47 (2^48 with 5-level/LVA: allow it). */
#define USER_TOP (1ull << 48)

void pymem__init(struct pymem *m, pid_t pid)
{
	m->pid = pid;
	m->fd = -1;
	m->use_fd = 0;
}

void pymem__close(struct pymem *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

static int read_fd(struct pymem *m, uint64_t addr, void *buf, size_t len)
{
	ssize_t n;

	if (m->fd < 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/mem", (int)m->pid);
		m->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (m->fd < 0)
			return -errno;
	}
	n = pread(m->fd, buf, len, (off_t)addr);
	if (n < 0)
		return errno == EIO ? -EFAULT : -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

int pymem__read(struct pymem *m, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (len == 0)
		return 0;
	if (len > PYMEM_MAX_READ)
		return -E2BIG;
	if (addr < 4096 || addr >= USER_TOP || len > USER_TOP - addr)
		return -EFAULT;
	if (m->use_fd)
		return read_fd(m, addr, buf, len);
	n = process_vm_readv(m->pid, &local, 1, &remote, 1, 0);
	if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
		m->use_fd = 1;
		return read_fd(m, addr, buf, len);
	}
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

int pymem__read_u64(struct pymem *m, uint64_t addr, uint64_t *out)
{
	return pymem__read(m, addr, out, sizeof(*out));
}
