// SPDX-License-Identifier: MIT
// An intrusive reference-counted pointer in the shape of Fuchsia's fbl::RefPtr
// and Rust-for-Linux's ARef<T>: the count lives in the object, a RefPtr owns
// exactly one reference and drops it when it dies.
//
// T provides:
//   void ref_get();   // increment (relaxed, like refcount_inc())
//   void ref_put();   // decrement; frees the object on the last one
// The object decides what "free" means (a blk-mq request returns its tag).
#pragma once

#include <utility>

namespace drvbench {

template <typename T>
class RefPtr {
public:
	RefPtr() = default;

	// Takes a new reference to obj (like ARef::from(&T)).
	static RefPtr get(T &obj)
	{
		obj.ref_get();
		return RefPtr(&obj);
	}

	// Takes over a reference the caller already owns (like ARef::from_raw).
	static RefPtr adopt(T &obj) { return RefPtr(&obj); }

	RefPtr(const RefPtr &other) : ptr_(other.ptr_)
	{
		if (ptr_ != nullptr)
			ptr_->ref_get();
	}
	RefPtr(RefPtr &&other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
	RefPtr &operator=(const RefPtr &other)
	{
		RefPtr copy(other);
		std::swap(ptr_, copy.ptr_);
		return *this;
	}
	RefPtr &operator=(RefPtr &&other) noexcept
	{
		RefPtr moved(std::move(other));
		std::swap(ptr_, moved.ptr_);
		return *this;
	}
	~RefPtr()
	{
		if (ptr_ != nullptr)
			ptr_->ref_put();
	}

	// Gives the reference up without dropping it (like ARef::into_raw): whoever
	// receives the object now owns that reference and must adopt() it again.
	[[nodiscard]] T &leak() &&
	{
		return *std::exchange(ptr_, nullptr);
	}

	[[nodiscard]] explicit operator bool() const { return ptr_ != nullptr; }
	T &operator*() const { return *ptr_; }
	T *operator->() const { return ptr_; }

private:
	explicit RefPtr(T *ptr) : ptr_(ptr) {}

	T *ptr_ = nullptr;
};

} // namespace drvbench
