// The generic runner: statistics, and measure() sample counts and interleaving.
#include "plugins.hpp"
#include "runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

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

namespace {
struct MetaRecorder : PreparedWorkload {
	std::vector<const struct drvbench_plugin *> metas;
	nlohmann::json derived() const override { return {}; }
	void verify(const std::vector<const Plugin *> &) override {}
	void run(const Plugin &p, uint64_t) override { metas.push_back(p.meta); }
};
} // namespace

// run.layouts: timed rounds run on copies of the plugin's .so loaded at other addresses, picked
// at random; the copies are the same code (same output) and are not left behind as files.
TEST(Runner, LayoutsRunCopiesAtOtherAddresses)
{
	std::vector<Plugin> all = load_plugins(DRVBENCH_TEST_PLUGIN_DIR);
	const Plugin *c = nullptr;
	for (const auto &p : all)
		if (p.is_c_base() && p.has("qrpanic"))
			c = &p;
	ASSERT_NE(c, nullptr);
	MetaRecorder rec;
	RunSettings run;
	run.warmup = 0;
	run.reps = 40;
	run.min_sample_ms = 0.001;
	run.layouts = 4;
	std::mt19937_64 rng(3);
	measure(rec, *c, {c}, run, rng, nullptr);
	std::set<const struct drvbench_plugin *> seen(rec.metas.begin(), rec.metas.end());
	EXPECT_GE(seen.size(), 3u); // the calibration runs on the loaded plugin, rounds on copies
	EXPECT_LE(seen.size(), 4u);
	std::set<const void *> generate;
	const uint8_t text[] = "drvbench layout copy";
	std::vector<uint8_t> ref;
	for (const auto *m : seen) {
		ASSERT_STREQ(m->impl, "c");
		generate.insert(reinterpret_cast<const void *>(m->qrpanic->generate));
		std::vector<uint8_t> data(4071), tmp(3706);
		std::copy(std::begin(text), std::end(text), data.begin());
		uint8_t w = m->qrpanic->generate(nullptr, data.data(), sizeof text, data.size(), tmp.data(), tmp.size());
		ASSERT_GT(w, 0);
		data.resize(static_cast<size_t>(w) * ((w + 7) / 8));
		if (ref.empty())
			ref = data;
		EXPECT_EQ(data, ref);
	}
	EXPECT_EQ(generate.size(), seen.size()); // every copy's code sits elsewhere
	// run.layouts = 1: the plugin as loaded, always
	MetaRecorder one;
	run.layouts = 1;
	measure(one, *c, {c}, run, rng, nullptr);
	EXPECT_EQ(std::set<const struct drvbench_plugin *>(one.metas.begin(), one.metas.end()).size(), 1u);
}
