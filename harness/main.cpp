// drvbench: command-line entry point. Parses arguments (CLI11) and maps errors to exit
// codes: 0 ok, 1 runtime failure, 2 bad input (one line on stderr).
#include <algorithm>
#include "commands.hpp"
#include "errors.hpp"
#include "ringbuf/verify_cmd.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

using namespace drvbench;

int main(int argc, char **argv)
{
	GlobalOptions g;
	for (int i = 0; i < argc; i++)
		g.argv.emplace_back(argv[i]);

	CLI::App app{"drvbench: what does safety cost in driver code? Runs matched C and C++ "
		     "driver components side by side and records the evidence."};
	app.name("drvbench");
	app.fallthrough(); // global options are accepted after the subcommand too
	app.require_subcommand(1);
	app.add_option("--plugins", g.plugins_dir, "plugin directory (default: <exe>/../plugins)");
	app.add_option("--workloads", g.workloads_dir, "workloads directory (default: the source tree's)");

	app.add_subcommand("list", "list plugins, workloads and suites");

	RunOptions ro;
	CLI::App *run = app.add_subcommand("run", "run workloads against every selected plugin, write a result file");
	run->add_option("workloads", ro.files, "workload files (TOML)");
	run->add_option("--suite", ro.suites, "suite name (workloads/suites/NAME.toml) or file")->allow_extra_args(false);
	run->add_option("--driver", ro.driver, "only workloads of this driver; alone, run its defaults");
	run->add_option("--set", ro.sets, "override a parameter or run setting: key=value")->allow_extra_args(false);
	run->add_option("--impl", ro.impls, "only these implementations (comma list)")->delimiter(',')->allow_extra_args(false);
	run->add_option("--variant", ro.variants, "only these variants (comma list)")->delimiter(',')->allow_extra_args(false);
	run->add_option("--reps", ro.reps, "measured rounds per workload");
	run->add_option("--warmup", ro.warmup, "discarded rounds per workload");
	run->add_option("--seed", ro.seed, "seed of the plugin order shuffle (default 1)");
	run->add_option("--cpu", ro.cpu, "CPU to pin the measuring thread to (default: the last allowed)");
	run->add_option("--out", ro.out, "result file (default results/drvbench-<UTC time>.json)");
	run->add_flag("--quiet,-q", ro.quiet, "no summary table");
	run->add_option("--compilers", ro.compilers,
			"plugins of these compilers (comma list of gcc12, clang-19, ...; 'all'); default: the harness's compiler and this build's rustc")
		->delimiter(',')
		->allow_extra_args(false);
	run->add_flag("--record", ro.record, "add the result file to the history store (drvbench history)");
	run->add_option("--history-db", ro.history_db, "history store (default results/history.sqlite)");
	run->add_flag("--no-counters", ro.no_counters, "do not read perf counters");
	run->add_option("--noise-threshold", ro.noise_threshold, "warn when a plugin's cv exceeds PCT percent (default 5)");
	run->add_flag("--instructions", ro.instructions,
		      "also count exact instructions per operation under valgrind's callgrind");
	run->add_option("--instructions-iters", ro.instructions_iters, "operations per sample under callgrind (default 5)");
	run->add_option("--instructions-reps", ro.instructions_reps, "samples per plugin under callgrind (default 3)");
	run->add_option("--instructions-child", ro.instructions_child)->group(""); // internal

	CLI::App *compare = app.add_subcommand("compare", "compare two result files (report.compare): exit 1 on a regression");
	CLI::App *analyze = app.add_subcommand("analyze", "every plugin against its baseline in one result file (report.analyze)");
	CLI::App *report = app.add_subcommand("report", "HTML report, charts, summary.md and CSV from result files (report.report)");
	CLI::App *history = app.add_subcommand("history", "runs recorded with run --record: list, check (report.history)");
	for (CLI::App *sub : {compare, analyze, report, history}) {
		sub->prefix_command(); // everything after the subcommand goes to Python untouched
		sub->allow_extras();
		sub->fallthrough(false);
		sub->set_help_flag();
	}

	QrEncodeOptions qo;
	CLI::App *qr = app.add_subcommand("qr", "QR code tools");
	qr->require_subcommand(1);
	CLI::App *enc = qr->add_subcommand("encode", "encode a payload with one plugin and write an image");
	enc->add_option("--impl", qo.impl, "implementation (c, cpp, ...)")->required();
	enc->add_option("--variant", qo.variant, "variant (default base)");
	auto *text = enc->add_option("--text", qo.text, "payload text");
	auto *data = enc->add_option("--data", qo.data_file, "payload file");
	text->excludes(data);
	data->excludes(text);
	enc->add_option("--url", qo.url, "URL: payload becomes the Numeric segment after it");
	enc->add_option("--format", qo.format, "pbm, png or txt (default: from --out)")
		->check(CLI::IsMember({"pbm", "png", "txt"}));
	enc->add_option("--scale", qo.scale, "pixels per module (default 4)")->check(CLI::Range(1u, 64u));
	enc->add_option("--margin", qo.margin, "light modules around the code (default 4)")->check(CLI::Range(0u, 64u));
	enc->add_option("--out", qo.out, "image file")->required();

	RingbufVerifyOptions rvo;
	CLI::App *rbc = app.add_subcommand("ringbuf", "ringbuf tools");
	rbc->require_subcommand(1);
	CLI::App *rbv = rbc->add_subcommand("verify", "check a ringbuf stream file: chunks, checksums, every record once and in order");
	rbv->add_option("file", rvo.file, "the stream file")->required();
	rbv->add_option("--produced", rvo.produced, "records produced per producer (comma list): all must be accounted for")
		->delimiter(',')->allow_extra_args(false);
	rbv->add_flag("--json", rvo.json, "print the report as JSON");

	try {
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp &e) {
		return app.exit(e);
	} catch (const CLI::CallForAllHelp &e) {
		return app.exit(e);
	} catch (const CLI::ParseError &e) {
		std::string msg = e.what();
		for (auto &c : msg)
			if (c == '\n')
				c = ' ';
		std::fprintf(stderr, "drvbench: %s (see drvbench --help)\n", msg.c_str());
		return 2;
	}

	try {
		if (app.got_subcommand("list"))
			return cmd_list(g);
		if (app.got_subcommand("run"))
			return cmd_run(g, ro);
		if (compare->parsed()) {
			// compare --history: the newest recorded run against the previous commit's.
			std::vector<std::string> args = compare->remaining();
			auto h = std::find(args.begin(), args.end(), "--history");
			if (h != args.end()) {
				args.erase(h);
				args.insert(args.begin(), "check");
				return cmd_report("history", args);
			}
			return cmd_report("compare", args);
		}
		if (report->parsed())
			return cmd_report("report", report->remaining());
		if (history->parsed()) {
			std::vector<std::string> args = history->remaining();
			if (args.empty() || args[0].rfind("-", 0) == 0)
				args.insert(args.begin(), "list"); // drvbench history: list the runs
			return cmd_report("history", args);
		}
		if (analyze->parsed())
			return cmd_report("analyze", analyze->remaining());
		if (rbv->parsed())
			return cmd_ringbuf_verify(rvo);
		if (enc->parsed()) {
			if (!qo.text && !qo.data_file)
				throw UsageError("qr encode", "", "give the payload with --text S or --data FILE");
			return cmd_qr_encode(g, qo);
		}
	} catch (const UsageError &e) {
		std::fprintf(stderr, "drvbench: %s\n", e.what());
		return 2;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "drvbench: error: %s\n", e.what());
		return 1;
	}
	return 0;
}
