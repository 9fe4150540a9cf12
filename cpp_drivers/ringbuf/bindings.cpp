// SPDX-License-Identifier: MIT
// The one place where the C ABI's raw pointers meet the safe C++ ringbuf (DESIGN.md: the
// audited exception, as the kernel's Rust bindings are). The opaque handle is the
// RingBuf owned by a unique_ptr between create() and destroy(); every span made here has
// exactly the size the caller declared.
#include <algorithm>
#include <cstring>
#include <memory>
#include <span>

#include <drvbench/plugin.h>

#include "ringbuf.hpp"

// The C ABI's opaque type: owns the result of RingBuf::create() (a unique_ptr) and
// caches the object's address for the per-record calls.
struct drvbench_ringbuf {
	drvbench::Result<std::unique_ptr<drvbench::ringbuf::RingBuf>, drvbench::ringbuf::CreateError> owner;
	drvbench::ringbuf::RingBuf *rb; // non-owning view of *owner.value()
};

namespace {

using drvbench::ringbuf::RingBuf;

drvbench_ringbuf *rb_create(const drvbench_ringbuf_config *cfg, char *err, size_t err_size)
{
	auto res = RingBuf::create(*cfg);
	if (const auto *e = res.error()) {
		if (err != nullptr && err_size != 0) {
			const size_t n = std::min(err_size - 1, e->message.size());
			std::memcpy(err, e->message.data(), n);
			std::span(err, err_size)[n] = '\0';
		}
		return nullptr;
	}
	RingBuf *rb = res.value()->get();
	// The handle: released to the caller here, taken back in rb_destroy().
	// NOLINTNEXTLINE(cppcoreguidelines-owning-memory): ownership crosses the C ABI.
	return new drvbench_ringbuf{std::move(res), rb};
}

void rb_destroy(drvbench_ringbuf *h)
{
	// NOLINTNEXTLINE(cppcoreguidelines-owning-memory): takes the handle back from the C ABI.
	delete h;
}

int rb_reserve(drvbench_ringbuf *h, uint32_t producer, uint32_t len, void **payload)
{
	auto res = h->rb->reserve(producer, len);
	if (const auto *e = res.error())
		return e->code;
	*payload = res.value()->data();
	return 0;
}

void rb_commit(drvbench_ringbuf *h, uint32_t producer)
{
	h->rb->commit(producer);
}

int rb_write(drvbench_ringbuf *h, uint32_t producer, const void *data, uint32_t len)
{
	return h->rb->write(producer, std::span(static_cast<const std::byte *>(data), len));
}

int rb_finish(drvbench_ringbuf *h, uint32_t producer)
{
	return h->rb->finish(producer);
}

int rb_drain(drvbench_ringbuf *h, uint32_t flags)
{
	return h->rb->drain(flags);
}

void rb_stats(const drvbench_ringbuf *h, drvbench_ringbuf_stats *out)
{
	h->rb->stats(*out);
}

} // namespace

extern "C" const drvbench_ringbuf_ops drvbench_cpp_ringbuf_ops = {
	.create = rb_create,
	.destroy = rb_destroy,
	.reserve = rb_reserve,
	.commit = rb_commit,
	.write = rb_write,
	.finish = rb_finish,
	.drain = rb_drain,
	.stats = rb_stats,
};
