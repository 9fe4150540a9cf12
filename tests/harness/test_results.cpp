// Result file entries (schema 2): the direction of every metric next to its unit, and the
// per-entry "ratio" as the paired point estimate (median of per-round ratios).
#include "results.hpp"

#include <gtest/gtest.h>

using namespace drvbench;

TEST(PairedRatio, MedianOfPerRoundRatiosNotRatioOfMedians)
{
	// Rounds pair the samples: per-round ratios 2, 0.5, 1.1 -> median 1.1. The ratio of the
	// medians would be 4/4 = 1.
	std::vector<double> base = {1, 8, 4}, x = {2, 4, 4.4};
	auto q = paired_ratio(x, base);
	ASSERT_TRUE(q);
	EXPECT_DOUBLE_EQ(*q, 1.1);
	EXPECT_FALSE(paired_ratio({1, 2}, {1, 2, 3})); // not paired
	EXPECT_FALSE(paired_ratio({}, {}));
	EXPECT_FALSE(paired_ratio({1, 2}, {1, 0}));
}

TEST(WorkloadJson, BetterAndPairedRatio)
{
	Plugin c, cpp;
	c.id = "c-base-gcc12";
	c.impl = "c";
	c.variant = "base";
	cpp.id = "cpp-base-gcc12";
	cpp.impl = "cpp";
	cpp.variant = "base";
	Workload w;
	w.name = "w";
	w.driver = "nullblk";
	Measurement m;
	m.unit = "ns/io";
	m.better = Better::Lower;
	m.results.push_back({&c, {1, 8, 4}, {}});
	m.results.push_back({&cpp, {2, 4, 4.4}, {}});
	m.results[0].metrics["iops"] = {"IO/s", Better::Higher, {1e6, 2e6, 3e6}};
	m.results[1].metrics["iops"] = {"IO/s", Better::Higher, {1e6, 2e6, 3e6}};
	m.results[1].metrics["lat_p99_ns"] = {"ns", Better::Lower, {1, 2, 3}};
	nlohmann::json j = workload_json(w, nlohmann::json::object(), m, &c, {&c, &c});
	const auto &r = j["results"];
	EXPECT_EQ(r[0]["better"], "lower");
	EXPECT_EQ(r[0]["ratio"], 1.0);
	EXPECT_DOUBLE_EQ(r[1]["ratio"].get<double>(), 1.1);
	EXPECT_EQ(r[1]["metrics"]["iops"]["better"], "higher");
	EXPECT_EQ(r[1]["metrics"]["iops"]["unit"], "IO/s");
	EXPECT_EQ(r[1]["metrics"]["lat_p99_ns"]["better"], "lower");
	EXPECT_EQ(result_document({}, {}, nlohmann::json::array(), true)["schema_version"], 2);
}
