// drvbench ringbuf verify FILE: the reader as a command (exit 0 verified, 1 problems found,
// 2 bad input).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace drvbench {

struct RingbufVerifyOptions {
	std::string file;
	std::vector<uint64_t> produced; // per producer: every seq 0..N-1 must be a record or declared lost
	bool json = false;
};

int cmd_ringbuf_verify(const RingbufVerifyOptions &o);

} // namespace drvbench
