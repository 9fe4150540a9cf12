// The generic runner: statistics, and measure() sample counts and interleaving.
#include "runner.hpp"

#include <gtest/gtest.h>
#include <set>

using namespace drvbench;

TEST(Stats, MedianMeanCv)
{
	Stats s = compute_stats({3, 1, 2, 4});
	EXPECT_DOUBLE_EQ(s.median, 2.5);
	EXPECT_DOUBLE_EQ(s.mean, 2.5);
	EXPECT_DOUBLE_EQ(s.min, 1);
	EXPECT_NEAR(s.stddev, 1.2909944, 1e-6);
	EXPECT_NEAR(s.cv, 1.2909944 / 2.5, 1e-6);
	EXPECT_DOUBLE_EQ(compute_stats({5}).stddev, 0);
}

namespace {
struct Recorder : PreparedWorkload {
	std::vector<const Plugin *> calls;
	nlohmann::json derived() const override { return {}; }
	void verify(const std::vector<const Plugin *> &) override {}
	void run(const Plugin &p, uint64_t) override { calls.push_back(&p); }
};
} // namespace

TEST(Runner, RoundsAreShuffledAndComplete)
{
	Plugin a, b, c; // ids are not needed: the recorder compares addresses
	Recorder rec;
	RunSettings run;
	run.warmup = 2;
	run.reps = 20;
	run.min_sample_ms = 0.001;
	std::mt19937_64 rng(1);
	Measurement m = measure(rec, a, {&a, &b, &c}, run, rng, nullptr);
	ASSERT_EQ(m.results.size(), 3u);
	for (const auto &r : m.results)
		EXPECT_EQ(r.samples.size(), 20u);
	// after calibration: 22 rounds x 3 plugins, each round visits every plugin once
	size_t calib = rec.calls.size() - 66;
	std::set<std::vector<const Plugin *>> orders;
	for (size_t r = 0; r < 22; r++) {
		std::vector<const Plugin *> round(rec.calls.begin() + static_cast<long>(calib + 3 * r),
						  rec.calls.begin() + static_cast<long>(calib + 3 * r + 3));
		EXPECT_EQ(std::set<const Plugin *>(round.begin(), round.end()).size(), 3u);
		orders.insert(round);
	}
	EXPECT_GT(orders.size(), 1u); // shuffled, not a fixed order
}
