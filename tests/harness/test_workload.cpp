// Workload parsing, validation messages and --set overrides (harness/workload.hpp).
#include "driver.hpp"
#include "errors.hpp"
#include "workload.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace drvbench;
namespace fs = std::filesystem;

namespace {

class WorkloadTest : public ::testing::Test {
protected:
	fs::path dir;
	void SetUp() override
	{
		dir = fs::temp_directory_path() / ("drvbench-wl-" + std::to_string(getpid()) + "-" +
						   ::testing::UnitTest::GetInstance()->current_test_info()->name());
		fs::create_directories(dir);
	}
	void TearDown() override { fs::remove_all(dir); }
	std::string write(const std::string &name, const std::string &text)
	{
		fs::path p = dir / name;
		std::ofstream(p) << text;
		return p.string();
	}
	// The one-line message load_workload gives for text.
	std::string error_of(const std::string &text)
	{
		std::string p = write("w.toml", text);
		try {
			load_workload(p);
		} catch (const UsageError &e) {
			EXPECT_EQ(e.where(), p);
			return std::string(e.what()).substr(p.size() + 2);
		}
		return "no error";
	}
};

const std::vector<const Driver *> qr = {find_driver("qrpanic")};

} // namespace

TEST_F(WorkloadTest, DefaultsFilledIn)
{
	Workload w = load_workload(write("w.toml", "driver = \"qrpanic\"\nname = \"a\"\n[params]\nversion = 7\n"));
	EXPECT_EQ(w.name, "a");
	EXPECT_EQ(get_int(w.params, "version"), 7);
	EXPECT_EQ(get_str(w.params, "mode"), "text");
	EXPECT_EQ(get_str(w.params, "payload"), "kmsg");
	EXPECT_EQ(get_int(w.params, "seed"), 1);
	EXPECT_EQ(w.run.reps, 15);
	EXPECT_EQ(w.run.warmup, 3);
	EXPECT_DOUBLE_EQ(w.run.min_sample_ms, 20.0);
}

TEST_F(WorkloadTest, RunTableAcceptsIntegerMilliseconds)
{
	Workload w = load_workload(write("w.toml", "driver = \"qrpanic\"\nname = \"a\"\n[run]\nreps = 4\nmin_sample_ms = 5\n"));
	EXPECT_EQ(w.run.reps, 4);
	EXPECT_DOUBLE_EQ(w.run.min_sample_ms, 5.0);
}

TEST_F(WorkloadTest, Errors)
{
	const std::string head = "driver = \"qrpanic\"\nname = \"a\"\n";
	EXPECT_EQ(error_of(head + "[params]\nversion = 41\n"), "params.version: expected an integer in 1..40, got 41");
	EXPECT_EQ(error_of(head + "[params]\nversion = 2.5\n"),
		  "params.version: expected an integer in 1..40, got a float (2.5)");
	EXPECT_EQ(error_of(head + "[params]\nmode = \"x\"\n"), "params.mode: expected one of \"text\", \"url\", got \"x\"");
	EXPECT_EQ(error_of(head + "extra = 1\n"), "extra: unknown key (expected driver, name, description, params, run)");
	EXPECT_EQ(error_of(head + "params = 3\n"), "params: expected a table, got 3");
	EXPECT_EQ(error_of("name = \"a\"\n"), "driver: missing (expected a string naming a driver: qrpanic, nullblk, ringbuf)");
	EXPECT_EQ(error_of("driver = \"qrpanic\"\n"), "name: missing (expected a string)");
	EXPECT_EQ(error_of(head + "[run]\nwarmup = -1\n"), "run.warmup: expected an integer in 0..10000, got -1");
}

TEST_F(WorkloadTest, SyntaxErrorHasLineAndColumn)
{
	std::string p = write("w.toml", "driver = \"qrpanic\"\nname = \n");
	try {
		load_workload(p);
		FAIL();
	} catch (const UsageError &e) {
		EXPECT_EQ(e.where().rfind(p + ":2:", 0), 0u) << e.what();
	}
}

TEST_F(WorkloadTest, SetNormalisesKeys)
{
	EXPECT_EQ(parse_set("version=20", qr).key, "params.version");
	EXPECT_EQ(parse_set("params.version=20", qr).key, "params.version");
	EXPECT_EQ(parse_set("reps=5", qr).key, "run.reps");
	EXPECT_EQ(parse_set("run.reps=5", qr).key, "run.reps");
	EXPECT_THROW(parse_set("run.version=5", qr), UsageError);
	EXPECT_THROW(parse_set("nope=5", qr), UsageError);
	EXPECT_THROW(parse_set("version=x", qr), UsageError);
	EXPECT_THROW(parse_set("version", qr), UsageError);
}

TEST_F(WorkloadTest, SetApplies)
{
	Workload w = default_workload(*qr[0]);
	EXPECT_EQ(w.name, "qrpanic-cli");
	apply_overrides(w, {parse_set("version=20", qr), parse_set("mode=url", qr), parse_set("run.reps=5", qr),
			    parse_set("min_sample_ms=0.5", qr), parse_set("url=https://a.b/?x=y=z", qr)});
	EXPECT_EQ(get_int(w.params, "version"), 20);
	EXPECT_EQ(get_str(w.params, "mode"), "url");
	EXPECT_EQ(get_str(w.params, "url"), "https://a.b/?x=y=z");
	EXPECT_EQ(w.run.reps, 5);
	EXPECT_DOUBLE_EQ(w.run.min_sample_ms, 0.5);
}

TEST_F(WorkloadTest, ShippedWorkloadsAreValid)
{
	fs::path wdir = fs::path(DRVBENCH_SOURCE_DIR) / "workloads";
	int n = 0;
	for (const auto &e : fs::recursive_directory_iterator(wdir)) {
		if (e.path().extension() != ".toml")
			continue;
		if (e.path().parent_path().filename() == "suites") {
			Suite s = load_suite(e.path().string());
			for (const auto &m : s.members)
				EXPECT_TRUE(fs::exists(wdir / m)) << s.file << ": " << m;
		} else {
			EXPECT_NO_THROW(load_workload(e.path().string())) << e.path();
		}
		n++;
	}
	EXPECT_GE(n, 12);
}
