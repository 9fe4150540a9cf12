// SPDX-License-Identifier: MIT
/*
 * The liburing calls of the Rust ringbuf (rust_drivers/ringbuf/bindings.rs), as the kernel's
 * rust/helpers/ wraps static inline C functions: liburing's get_sqe, prep_*, for_each_cqe and
 * cq_advance are static inline in <liburing.h>, so Rust cannot call them; each is wrapped here
 * in one small out-of-line function with the same behaviour. No logic of the driver lives
 * here: the same liburing calls, in the same order, as c_drivers/ringbuf/ringbuf.c makes.
 * Compiled into the Rust plugin (docs/design-notes.md, "Rust ringbuf: io_uring").
 */
#include <errno.h>
#include <liburing.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>

#define HELPER __attribute__((visibility("hidden")))

/* struct io_uring lives in C memory: Rust sees an opaque pointer. */
HELPER struct io_uring *rust_helper_io_uring_new(unsigned int entries, int *ret)
{
	struct io_uring *ring = calloc(1, sizeof(*ring));

	if (!ring) {
		*ret = -ENOMEM;
		return NULL;
	}
	*ret = io_uring_queue_init(entries, ring, 0);
	if (*ret) {
		free(ring);
		return NULL;
	}
	return ring;
}

HELPER int rust_helper_io_uring_register_buffers(struct io_uring *ring, const struct iovec *iov,
						 unsigned int nr)
{
	return io_uring_register_buffers(ring, iov, nr);
}

HELPER void rust_helper_io_uring_free(struct io_uring *ring, int registered)
{
	if (registered)
		io_uring_unregister_buffers(ring);
	io_uring_queue_exit(ring);
	free(ring);
}

/* io_uring_get_sqe + io_uring_prep_write_fixed + io_uring_sqe_set_data64; 0, or -EBUSY when
 * the submission queue is full (nothing queued). */
HELPER int rust_helper_io_uring_prep_write_fixed(struct io_uring *ring, int fd, const void *buf,
						 unsigned int len, uint64_t off, int buf_index,
						 uint64_t user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_write_fixed(sqe, fd, buf, len, off, buf_index);
	io_uring_sqe_set_data64(sqe, user_data);
	return 0;
}

/* io_uring_get_sqe + io_uring_prep_nop + io_uring_sqe_set_data64; 0 or -EBUSY. */
HELPER int rust_helper_io_uring_prep_nop(struct io_uring *ring, uint64_t user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, user_data);
	return 0;
}

HELPER int rust_helper_io_uring_submit(struct io_uring *ring)
{
	return io_uring_submit(ring);
}

/* io_uring_wait_cqe, EINTR retried (the CQE is not consumed). */
HELPER int rust_helper_io_uring_wait_cqe(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int ret;

	do
		ret = io_uring_wait_cqe(ring, &cqe);
	while (ret == -EINTR);
	return ret;
}

struct rust_helper_cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
};

/* io_uring_for_each_cqe + io_uring_cq_advance: copies up to max available completions, in
 * order, and consumes them. Returns how many. */
HELPER unsigned int rust_helper_io_uring_reap(struct io_uring *ring, struct rust_helper_cqe *out,
					      unsigned int max)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		if (n == max)
			break;
		out[n].user_data = io_uring_cqe_get_data64(cqe);
		out[n].res = cqe->res;
		out[n].flags = cqe->flags;
		n++;
	}
	io_uring_cq_advance(ring, n);
	return n;
}
