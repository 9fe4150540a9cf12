// SPDX-License-Identifier: MIT
// Shared state reachable only through its lock, in the shape of SerenityOS's
// SpinlockProtected<T>: the value is a private member and with(fn) is the only
// way to it, so touching it unlocked does not compile.
//
// The lock is the same test-and-test-and-set spinlock as the C side's
// spin_lock()/spin_unlock() (c_drivers/nullblk/nullblk.c): exchange(acquire)
// to take it, relaxed loads while it is held elsewhere, store(release) to drop.
#pragma once

#include <atomic>
#include <mutex>
#include <utility>

namespace drvbench {

class Spinlock {
public:
	void lock()
	{
		for (;;) {
			if (!locked_.exchange(true, std::memory_order_acquire))
				return;
			while (locked_.load(std::memory_order_relaxed))
				cpu_relax();
		}
	}

	void unlock() { locked_.store(false, std::memory_order_release); }

private:
	static void cpu_relax()
	{
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}

	std::atomic<bool> locked_{false};
};

template <typename T>
class Protected {
public:
	template <typename... Args>
	explicit Protected(Args &&...args) : value_(std::forward<Args>(args)...)
	{
	}

	Protected(const Protected &) = delete;
	Protected &operator=(const Protected &) = delete;
	Protected(Protected &&) = delete;
	Protected &operator=(Protected &&) = delete;
	~Protected() = default;

	// Runs fn(T&) with the lock held; returns what fn returns.
	template <typename Fn>
	decltype(auto) with(Fn &&fn)
	{
		const std::lock_guard<Spinlock> guard(lock_);
		return std::forward<Fn>(fn)(value_);
	}

private:
	Spinlock lock_;
	T value_;
};

} // namespace drvbench
