// SPDX-License-Identifier: MIT
// The one place where the nullblk C ABI's raw pointers meet the safe C++
// driver (DESIGN.md: the audited exception, as the kernel's Rust bindings
// are): the opaque device handle, the ios and cqes arrays, io.buf +
// io.nr_bytes, the badblocks list and the error buffer become a Device&,
// spans and a string_view here, each with exactly the size the caller
// declared, and nowhere else.
#include <algorithm>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

#include <drvbench/plugin.h>

#include "null_blk.hpp"

namespace {

using drvbench::Bytes;
using drvbench::Sector;
using drvbench::blk::Io;
using drvbench::nullblk::Attributes;
using drvbench::nullblk::Config;
using drvbench::nullblk::Device;

// The handle the C ABI hands out is the Device itself.
Device *to_device(drvbench_nullblk_dev *dev)
{
	// NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): opaque ABI handle made by nb_create().
	return reinterpret_cast<Device *>(dev);
}

const Device *to_device(const drvbench_nullblk_dev *dev)
{
	// NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): opaque ABI handle made by nb_create().
	return reinterpret_cast<const Device *>(dev);
}

// Like snprintf into err: cut to err_size - 1 bytes, NUL-terminated.
void write_error(char *err, size_t err_size, std::string_view msg)
{
	if (err == nullptr || err_size == 0)
		return;
	const std::span<char> out(err, err_size);
	const size_t n = std::min(msg.size(), err_size - 1);
	std::copy_n(msg.begin(), n, out.begin());
	out[n] = '\0';
}

drvbench_nullblk_dev *nb_create(const drvbench_nullblk_config *cfg, char *err, size_t err_size)
{
	if (cfg == nullptr) {
		write_error(err, err_size, "config: NULL");
		return nullptr;
	}
	const Attributes attrs{
		.size = cfg->size,
		.blocksize = cfg->blocksize,
		.submit_queues = cfg->submit_queues,
		.hw_queue_depth = cfg->hw_queue_depth,
		.irqmode = cfg->irqmode,
		.completion_nsec = cfg->completion_nsec,
		.memory_backed = cfg->memory_backed,
		.discard = cfg->discard,
		.nr_badblocks = cfg->nr_badblocks,
		.badblocks = cfg->badblocks != nullptr
				     ? std::span(cfg->badblocks, cfg->nr_badblocks)
				     : std::span<const drvbench_nb_badblock>(),
	};
	const auto result = drvbench::nullblk::validate(attrs);
	const Config *config = result.value();
	if (config == nullptr) {
		write_error(err, err_size, result.error()->view());
		return nullptr;
	}
	std::unique_ptr<Device> dev = drvbench::nullblk::create_device(*config);
	if (!dev) {
		write_error(err, err_size, "device: out of memory");
		return nullptr;
	}
	// NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): ownership passes to the caller until nb_destroy().
	return reinterpret_cast<drvbench_nullblk_dev *>(dev.release());
}

void nb_destroy(drvbench_nullblk_dev *dev)
{
	// Ownership comes back from the caller and dies here.
	const std::unique_ptr<Device> owned(to_device(dev));
}

uint32_t nb_submit(drvbench_nullblk_dev *dev, uint32_t hctx, const drvbench_nullblk_io *ios,
		   uint32_t n, uint64_t now_ns)
{
	if (dev == nullptr || (ios == nullptr && n != 0)) [[unlikely]]
		return 0;
	Device &d = *to_device(dev);
	auto queue = d.queue(hctx);
	if (!queue) [[unlikely]]
		return 0;
	uint32_t accepted = 0;
	for (const drvbench_nullblk_io &io : std::span(ios, n)) {
		std::span<uint8_t> buf;
		if (io.buf != nullptr)
			buf = std::span(static_cast<uint8_t *>(io.buf), io.nr_bytes);
		const Io req{
			.op = io.op,
			.nr_bytes = Bytes{io.nr_bytes},
			.sector = Sector{io.sector},
			.buf = buf,
			.user_data = io.user_data,
		};
		if (!d.submit(*queue, req, now_ns))
			break;
		accepted++;
	}
	return accepted;
}

uint32_t nb_complete(drvbench_nullblk_dev *dev, uint32_t hctx, uint64_t now_ns,
		     drvbench_nullblk_cqe *cqes, uint32_t max)
{
	if (dev == nullptr || (cqes == nullptr && max != 0)) [[unlikely]]
		return 0;
	Device &d = *to_device(dev);
	auto queue = d.queue(hctx);
	if (!queue) [[unlikely]]
		return 0;
	return d.complete(*queue, now_ns, std::span(cqes, max));
}

void nb_stats(const drvbench_nullblk_dev *dev, drvbench_nullblk_stats *out)
{
	if (out == nullptr)
		return;
	*out = dev != nullptr ? to_device(dev)->stats() : drvbench_nullblk_stats{};
}

} // namespace

extern "C" const drvbench_nullblk_ops drvbench_cpp_nullblk_ops = {
	.create = nb_create,
	.destroy = nb_destroy,
	.submit = nb_submit,
	.complete = nb_complete,
	.stats = nb_stats,
};
