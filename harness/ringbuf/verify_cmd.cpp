// drvbench ringbuf verify; see verify_cmd.hpp.
#include "verify_cmd.hpp"

#include "reader.hpp"

#include <cstdio>

namespace drvbench {

int cmd_ringbuf_verify(const RingbufVerifyOptions &o)
{
	ringbuf::Report r = ringbuf::verify_file(o.file);
	// --produced: the stream must account for every sequence number handed out.
	for (size_t i = 0; i < o.produced.size(); i++) {
		const ringbuf::ProducerReport p = r.producers.count(static_cast<uint32_t>(i))
							  ? r.producers.at(static_cast<uint32_t>(i))
							  : ringbuf::ProducerReport{};
		if (p.records + p.lost != o.produced[i] || p.next_seq != o.produced[i]) {
			r.nr_problems++;
			r.problems.push_back({0, "producer " + std::to_string(i) + ": " + std::to_string(o.produced[i]) +
							 " produced, the file holds " + std::to_string(p.records) +
							 " records and declares " + std::to_string(p.lost) + " lost"});
		}
	}
	if (o.json)
		std::printf("%s\n", r.to_json().dump(1).c_str());
	else
		std::printf("%s: %s", o.file.c_str(), r.summary().c_str());
	return r.ok() ? 0 : 1;
}

} // namespace drvbench
