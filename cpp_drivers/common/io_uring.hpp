// SPDX-License-Identifier: MIT
// RAII owners for the kernel resources of an I/O path (DESIGN.md "Safe C++"): a file
// descriptor, an anonymous memory mapping seen only as a span, and an io_uring instance with
// its registered (fixed) buffers. Each releases what it owns exactly once; none is copyable.
// Used by cpp_drivers/ringbuf; named io_uring.hpp to keep the shared folder's names apart.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <liburing.h>
#include <span>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include <utility>

namespace drvbench {

// An owned file descriptor (a dup of the caller's: the caller keeps its own).
class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd) {}
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;
	UniqueFd(UniqueFd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
	UniqueFd &operator=(UniqueFd &&o) noexcept
	{
		if (this != &o) {
			reset();
			fd_ = std::exchange(o.fd_, -1);
		}
		return *this;
	}
	~UniqueFd() { reset(); }

	[[nodiscard]] static UniqueFd dup_of(int fd) { return UniqueFd(::dup(fd)); }
	[[nodiscard]] bool valid() const { return fd_ >= 0; }
	[[nodiscard]] int get() const { return fd_; }

private:
	void reset()
	{
		if (fd_ >= 0)
			::close(fd_);
		fd_ = -1;
	}
	int fd_ = -1;
};

// Anonymous, populated, read-write memory of a fixed size; visible only as a span.
class MappedBytes {
public:
	MappedBytes() = default;
	MappedBytes(const MappedBytes &) = delete;
	MappedBytes &operator=(const MappedBytes &) = delete;
	MappedBytes(MappedBytes &&o) noexcept : bytes_(std::exchange(o.bytes_, {})) {}
	MappedBytes &operator=(MappedBytes &&o) noexcept
	{
		if (this != &o) {
			reset();
			bytes_ = std::exchange(o.bytes_, {});
		}
		return *this;
	}
	~MappedBytes() { reset(); }

	// An empty mapping (valid() false, errno set) when the kernel refuses.
	[[nodiscard]] static MappedBytes map(std::size_t size)
	{
		MappedBytes m;
		void *p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		// NOLINTNEXTLINE(cppcoreguidelines-pro-type-cstyle-cast,performance-no-int-to-ptr): MAP_FAILED is the kernel's ((void *)-1).
		if (p != MAP_FAILED)
			m.bytes_ = std::span<std::byte>(static_cast<std::byte *>(p), size);
		return m;
	}
	[[nodiscard]] bool valid() const { return !bytes_.empty(); }
	[[nodiscard]] std::span<std::byte> bytes() const { return bytes_; }
	[[nodiscard]] iovec iov() const { return iovec{bytes_.data(), bytes_.size()}; }

private:
	void reset()
	{
		if (!bytes_.empty())
			::munmap(bytes_.data(), bytes_.size());
		bytes_ = {};
	}
	std::span<std::byte> bytes_;
};

// One io_uring instance; buffers registered with it stay registered for its life.
class IoUring {
public:
	IoUring() = default;
	IoUring(const IoUring &) = delete;
	IoUring &operator=(const IoUring &) = delete;
	IoUring(IoUring &&) = delete;
	IoUring &operator=(IoUring &&) = delete;
	~IoUring()
	{
		if (registered_)
			io_uring_unregister_buffers(&ring_);
		if (ready_)
			io_uring_queue_exit(&ring_);
	}

	// 0 or -errno.
	[[nodiscard]] int init(unsigned entries)
	{
		const int ret = io_uring_queue_init(entries, &ring_, 0);
		ready_ = ret == 0;
		return ret;
	}
	[[nodiscard]] int register_buffers(std::span<const iovec> bufs)
	{
		const int ret = io_uring_register_buffers(&ring_, bufs.data(), static_cast<unsigned>(bufs.size()));
		registered_ = ret == 0;
		return ret;
	}

	// Queues a write of buf (inside fixed buffer index) at file offset off; false when the
	// submission queue is full.
	[[nodiscard]] bool prep_write_fixed(int fd, std::span<const std::byte> buf, uint64_t off, uint16_t index,
					    uint64_t user_data)
	{
		io_uring_sqe *sqe = io_uring_get_sqe(&ring_);
		if (sqe == nullptr)
			return false;
		io_uring_prep_write_fixed(sqe, fd, buf.data(), static_cast<unsigned>(buf.size()), off, index);
		io_uring_sqe_set_data64(sqe, user_data);
		return true;
	}
	[[nodiscard]] bool prep_nop(uint64_t user_data)
	{
		io_uring_sqe *sqe = io_uring_get_sqe(&ring_);
		if (sqe == nullptr)
			return false;
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, user_data);
		return true;
	}
	int submit() { return io_uring_submit(&ring_); }

	// Blocks until a completion is available (0) or fails (-errno); EINTR is retried.
	int wait()
	{
		io_uring_cqe *cqe = nullptr;
		int ret = 0;
		do
			ret = io_uring_wait_cqe(&ring_, &cqe);
		while (ret == -EINTR);
		return ret;
	}

	// Calls fn(user_data, res) for every available completion; returns how many.
	template <typename Fn>
	unsigned for_each_completion(Fn &&fn)
	{
		unsigned head = 0;
		unsigned n = 0;
		io_uring_cqe *cqe = nullptr;
		io_uring_for_each_cqe(&ring_, head, cqe)
		{
			fn(io_uring_cqe_get_data64(cqe), cqe->res);
			n++;
		}
		io_uring_cq_advance(&ring_, n);
		return n;
	}

private:
	io_uring ring_{};
	bool ready_ = false;
	bool registered_ = false;
};

} // namespace drvbench
