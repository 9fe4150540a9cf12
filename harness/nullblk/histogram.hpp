// Completion latency histogram for the nullblk runner: log-linear buckets in the spirit of
// HdrHistogram (64 linear sub-buckets per power of two, so a recorded value is known to
// within 1/64 = 1.6%), fixed size, no allocation and two instructions of work per record.
#pragma once

#include <array>
#include <cstdint>

namespace drvbench::nullblk {

class LatencyHistogram {
public:
	static constexpr unsigned kSubBits = 6;
	static constexpr uint64_t kSub = 1ull << kSubBits;
	static constexpr unsigned kBuckets = (64 - kSubBits + 1) * kSub; // every uint64_t value

	static constexpr unsigned index(uint64_t v)
	{
		if (v < kSub)
			return static_cast<unsigned>(v);
		const unsigned msb = 63u - static_cast<unsigned>(__builtin_clzll(v));
		const unsigned shift = msb - kSubBits;
		return ((shift + 1) << kSubBits) + static_cast<unsigned>((v >> shift) - kSub);
	}
	// Smallest value that lands in bucket i.
	static constexpr uint64_t lower(unsigned i)
	{
		if (i < kSub)
			return i;
		const unsigned shift = (i >> kSubBits) - 1;
		return ((i & (kSub - 1)) + kSub) << shift;
	}
	// Largest value that lands in bucket i.
	static constexpr uint64_t upper(unsigned i)
	{
		if (i < kSub)
			return i;
		const unsigned shift = (i >> kSubBits) - 1;
		return lower(i) + ((1ull << shift) - 1);
	}

	void record(uint64_t v)
	{
		counts_[index(v)]++;
		if (v > max_)
			max_ = v;
		sum_ += v;
		n_++;
	}
	// Records the same value n times (a batch reaped at one instant).
	void record_n(uint64_t v, uint64_t n)
	{
		counts_[index(v)] += n;
		if (v > max_)
			max_ = v;
		sum_ += v * n;
		n_ += n;
	}
	void merge(const LatencyHistogram &o)
	{
		for (unsigned i = 0; i < kBuckets; i++)
			counts_[i] += o.counts_[i];
		if (o.max_ > max_)
			max_ = o.max_;
		sum_ += o.sum_;
		n_ += o.n_;
	}
	void clear() { *this = LatencyHistogram(); }

	uint64_t count() const { return n_; }
	uint64_t max() const { return max_; }
	double mean() const { return n_ ? static_cast<double>(sum_) / static_cast<double>(n_) : 0.0; }

	// The value at quantile q (0..1): the midpoint of the bucket holding the ceil(q*n)-th
	// smallest value, capped at the exact maximum. 0 when empty.
	double quantile(double q) const
	{
		if (n_ == 0)
			return 0;
		uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(n_) + 0.999999999);
		if (rank < 1)
			rank = 1;
		if (rank > n_)
			rank = n_;
		uint64_t seen = 0;
		for (unsigned i = 0; i < kBuckets; i++) {
			seen += counts_[i];
			if (seen >= rank) {
				double mid = (static_cast<double>(lower(i)) + static_cast<double>(upper(i))) / 2;
				return mid > static_cast<double>(max_) ? static_cast<double>(max_) : mid;
			}
		}
		return static_cast<double>(max_);
	}

private:
	std::array<uint64_t, kBuckets> counts_{};
	uint64_t max_ = 0, sum_ = 0, n_ = 0;
};

static_assert(LatencyHistogram::index(63) == 63);
static_assert(LatencyHistogram::index(64) == 64);
static_assert(LatencyHistogram::index(127) == 127);
static_assert(LatencyHistogram::index(128) == 128);
static_assert(LatencyHistogram::index(130) == 129);
static_assert(LatencyHistogram::lower(LatencyHistogram::index(1000003)) <= 1000003);
static_assert(LatencyHistogram::upper(LatencyHistogram::index(1000003)) >= 1000003);
static_assert(LatencyHistogram::index(~0ull) == LatencyHistogram::kBuckets - 1);

} // namespace drvbench::nullblk
