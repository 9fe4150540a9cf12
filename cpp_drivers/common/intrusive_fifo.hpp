// SPDX-License-Identifier: MIT
// Intrusive FIFOs, as the kernel's lists are intrusive: the link lives in the
// element (a member `link` of type FifoLink<T>), so queueing never allocates.
//
// IntrusiveFifo<T> holds no references: its owner accounts for them (the
// blk-mq done list carries the block layer's implicit reference).
// RefFifo<T> owns one reference per element: push() takes a RefPtr, pop()
// gives one back (the reference is leaked into the list and adopted out).
#pragma once

#include "ref_ptr.hpp"

namespace drvbench {

template <typename T>
struct FifoLink {
	T *next = nullptr;
};

template <typename T>
class IntrusiveFifo {
public:
	void push(T &item)
	{
		item.link.next = nullptr;
		if (tail_ != nullptr)
			tail_->link.next = &item;
		else
			head_ = &item;
		tail_ = &item;
	}

	[[nodiscard]] T *front() const { return head_; }

	[[nodiscard]] T *pop()
	{
		T *item = head_;
		if (item == nullptr)
			return nullptr;
		head_ = item->link.next;
		if (head_ == nullptr)
			tail_ = nullptr;
		return item;
	}

	[[nodiscard]] bool empty() const { return head_ == nullptr; }

private:
	T *head_ = nullptr;
	T *tail_ = nullptr;
};

template <typename T>
class RefFifo {
public:
	RefFifo() = default;
	RefFifo(const RefFifo &) = delete;
	RefFifo &operator=(const RefFifo &) = delete;
	RefFifo(RefFifo &&) = delete;
	RefFifo &operator=(RefFifo &&) = delete;
	~RefFifo()
	{
		while (pop()) {
		}
	}

	void push(RefPtr<T> item) { fifo_.push(std::move(item).leak()); }

	[[nodiscard]] const T *front() const { return fifo_.front(); }

	// An empty RefPtr when the FIFO is empty.
	[[nodiscard]] RefPtr<T> pop()
	{
		T *item = fifo_.pop();
		return item != nullptr ? RefPtr<T>::adopt(*item) : RefPtr<T>();
	}

private:
	IntrusiveFifo<T> fifo_;
};

} // namespace drvbench
