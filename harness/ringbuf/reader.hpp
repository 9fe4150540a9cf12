// The ringbuf stream reader (docs/ringbuf.md "File format"): splits a file into chunks,
// checks every chunk's header and CRC-32C and every record in it (present once, in order per
// producer, lost-records markers accounted), and reports what it finds. It never trusts the
// file: a torn tail, a flipped bit or garbage is reported, never crashes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace drvbench::ringbuf {

// CRC-32C (Castagnoli) as the chunks use it: crc32c(data) with ~0 in and out. The reader's
// own implementation, independent of the plugins'.
uint32_t crc32c(const uint8_t *p, size_t n, uint32_t crc = 0);

struct ProducerReport {
	uint64_t chunks = 0;
	uint64_t records = 0;      // DATA records read (persisted)
	uint64_t lost = 0;         // records declared dropped by LOST markers
	uint64_t lost_markers = 0;
	uint64_t next_seq = 0;     // one past the last sequence number seen (= produced if whole)
	uint64_t payload_bytes = 0;
};

// What the producer side says happened (from the component's stats), to check
// produced = persisted + dropped (+ failed after a sink error).
struct Expectation {
	uint64_t produced = 0;
	uint64_t persisted = 0;
	uint64_t dropped = 0;
	uint64_t failed = 0;
	// The errno that stopped the sink (stats.error), 0 if none. After a sink error the file
	// is a prefix of the stream: a LOST marker may have been in a chunk that failed even when
	// no DATA record did (fuzz finding 6), so the stream need not declare every drop.
	int sink_error = 0;
};

struct Problem {
	uint64_t offset = 0; // file offset of the chunk (or record) concerned
	std::string what;
};

struct Report {
	uint64_t file_bytes = 0;
	uint64_t chunks = 0;         // chunks with a good header and checksum
	uint64_t bad_chunks = 0;     // checksum or record-level damage
	uint64_t records = 0;
	uint64_t torn_tail_bytes = 0;
	uint64_t skipped_bytes = 0;  // garbage skipped while resynchronising
	std::map<uint32_t, ProducerReport> producers;
	std::vector<Problem> problems; // the first kMaxProblems
	uint64_t nr_problems = 0;
	// Work done: bytes run through CRC-32C, the reader's dominant cost (linear in file_bytes
	// however the file is damaged; the tests bound it). Not part of the JSON report.
	uint64_t crc_bytes = 0;

	static constexpr size_t kMaxProblems = 50;
	bool ok() const { return nr_problems == 0; }
	nlohmann::json to_json() const;
	std::string summary() const; // human-readable, one line per fact / problem
};

// Checks a whole stream in memory. expect: per producer index, what the run says happened
// (nullopt: check only what the stream says about itself).
Report verify_stream(const uint8_t *data, size_t size,
		     const std::optional<std::map<uint32_t, Expectation>> &expect = std::nullopt);

// Maps and checks a file. Throws UsageError when it cannot be opened or is not a regular file.
Report verify_file(const std::string &path,
		   const std::optional<std::map<uint32_t, Expectation>> &expect = std::nullopt);
// The same for an open file (the run's sink, which has no name); name is for messages.
Report verify_fd(int fd, const std::string &name,
		 const std::optional<std::map<uint32_t, Expectation>> &expect = std::nullopt);

} // namespace drvbench::ringbuf
