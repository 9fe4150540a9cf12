// ringbuf_seq: the C, the safe C++ and the safe Rust ringbuf on arbitrary reserve/commit/write/drain/finish
// sequences, one thread playing every producer and the drain, each side writing to its own
// memfd; the file is then checked by the harness's stream reader and record by record.
//
// Input: a config (1..4 producers, 4..64 KiB rings, policy, batch, max_chunk, file offset,
// sometimes an injected sink error, sometimes an invalid attribute), a mode, then up to 200
// steps: write(), reserve() + commit() (a reservation may stay open across other producers'
// steps), an invalid producer, an oversized record, drain(ALL), and in the
// non-deterministic mode drain(0)/drain(WAIT).
//
// The model follows each ring's position exactly (records, PAD at the wrap, lost-records
// markers) and, since the tail moves only when the drain has written everything,
//  - deterministic mode (only drain(ALL)): predicts every reserve()/write() result (OK,
//    -ENOBUFS when a drop-policy ring is full, -EMSGSIZE, -EINVAL, -errno after a sink error,
//    including a PAD published on its own before a refusal); C, C++ and Rust must produce
//    byte-identical files (several producers included) and equal per-producer statistics;
//  - block policy (either mode): never lets a producer block (it drains everything first
//    when the ring might be full), so the waits counter must stay 0.
// After every producer's finish() and a final drain(ALL), for each side:
//  - the reader (harness/ringbuf/reader.cpp) accepts the file with the side's statistics as
//    the expectation, and the file is offset + file_bytes long;
//  - every DATA record in the file is one the producer had reserve()d successfully, with its
//    exact payload, present once; without a sink error every such record is there, and the
//    LOST markers cover exactly the records refused with -ENOBUFS;
//  - produced = persisted + dropped + failed, each as the model counted.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <drvbench/plugin.h>

#include "ringbuf/reader.hpp"

#include "fuzz_check.hpp"

extern "C" {
drvbench_ringbuf *rb_create(const drvbench_ringbuf_config *cfg, char *err, size_t err_size);
void rb_destroy(drvbench_ringbuf *rb);
int rb_reserve(drvbench_ringbuf *rb, uint32_t producer, uint32_t len, void **payload);
void rb_commit(drvbench_ringbuf *rb, uint32_t producer);
int rb_write(drvbench_ringbuf *rb, uint32_t producer, const void *data, uint32_t len);
int rb_finish(drvbench_ringbuf *rb, uint32_t producer);
int rb_drain(drvbench_ringbuf *rb, uint32_t flags);
void rb_stats(const drvbench_ringbuf *rb, drvbench_ringbuf_stats *out);
extern const drvbench_ringbuf_ops drvbench_cpp_ringbuf_ops;
}

namespace {

const drvbench_ringbuf_ops kC = {rb_create, rb_destroy, rb_reserve, rb_commit,
				 rb_write,  rb_finish,  rb_drain,   rb_stats};
constexpr int kSides = 3; // C (the reference), C++, Rust
const char *const kSide[kSides] = {"C", "C++", "Rust"};

constexpr uint64_t kHdr = DRVBENCH_RB_REC_HDR_SIZE, kLost = DRVBENCH_RB_LOST_SIZE;

uint8_t pattern(uint32_t p, uint64_t seq, uint32_t k)
{
	return static_cast<uint8_t>(p * 131 + seq * 7 + k * 13 + (k >> 8));
}

constexpr int kWouldWait = 1; // a model result: the producer would wait for the drain

// One producer's ring as the model sees it (c_drivers/ringbuf/ringbuf.c: rb_reserve(),
// rb_place(), rb_make_room(), rb_put_lost()).
struct Ring {
	uint64_t size = 0;
	uint64_t pos = 0, head = 0, tail = 0; // tail: a lower bound (exact in deterministic mode)
	uint64_t tail_cache = 0;              // the producer's cached tail (exact when tail is)
	uint64_t seq = 0, lost_pending = 0;
	uint64_t open = 0; // bytes of the open reservation (0: none)
	uint64_t open_seq = 0;
	uint32_t open_len = 0;
	bool exact_head = true; // publish a PAD placed on its own (deterministic mode)
	// outcomes
	std::map<uint64_t, uint32_t> ok;  // seq -> payload length (committed)
	std::set<uint64_t> dropped, failed;
	uint64_t lost_markers = 0;

	uint64_t skip(uint64_t n) const
	{
		const uint64_t off = pos & (size - 1);
		return off + n > size ? size - off : 0;
	}
	// rb_make_room(): reloads the tail; 0, -error, -ENOBUFS or kWouldWait.
	int room(uint64_t n, int error, bool may_drop)
	{
		tail_cache = tail;
		if (pos + n - tail <= size)
			return 0;
		if (error)
			return -error;
		return may_drop ? -ENOBUFS : kWouldWait;
	}
	// rb_place(): positions pos where n bytes fit, with a PAD to the end of the ring when they
	// do not fit before it. If PAD and record do not fit together, the PAD is published on its
	// own first, so pos (and head) can move even when the record is then refused.
	int place(uint64_t n, int error, bool may_drop)
	{
		const uint64_t sk = skip(n);
		if (pos + sk + n - tail_cache <= size) {
			pos += sk;
			return 0;
		}
		if (sk) {
			if (int r = room(sk, error, may_drop))
				return r;
			pos += sk;
			if (exact_head)
				head = pos;
		}
		return room(n, error, may_drop);
	}
	// rb_put_lost(): the pending marker as its own record.
	int put_lost(int error, bool may_drop)
	{
		if (int r = place(kLost, error, may_drop))
			return r;
		pos += kLost;
		head = pos;
		lost_pending = 0;
		lost_markers++;
		return 0;
	}
	// rb_reserve() after the argument checks: the marker first, then the record of `need`
	// bytes at pos (not yet committed: open).
	int reserve(uint64_t need, int error, bool may_drop)
	{
		if (lost_pending)
			if (int r = put_lost(error, may_drop))
				return r;
		return place(need, error, may_drop);
	}
	// Would reserve() (or finish(), need 0) have to wait for the drain?
	bool would_wait(uint64_t need, int error, bool may_drop) const
	{
		Ring r = *this;
		return (need ? r.reserve(need, error, may_drop) : r.put_lost(error, may_drop)) == kWouldWait;
	}
};

struct Side {
	const drvbench_ringbuf_ops *ops;
	drvbench_ringbuf *rb = nullptr;
	int fd = -1;
	uint8_t *open_payload[DRVBENCH_RB_MAX_PRODUCERS] = {};
};

struct Run {
	drvbench_ringbuf_config cfg{};
	bool det = true;
	int error = 0; // the sink error the drain has reported (model)
	std::vector<Ring> rings;
	Side sd[kSides];

	void drain_all()
	{
		if (getenv("DRVBENCH_FUZZ_TRACE"))
			fprintf(stderr, "drain(ALL)\n");
		int r[kSides];
		for (int s = 0; s < kSides; s++)
			r[s] = sd[s].ops->drain(sd[s].rb, DRVBENCH_RB_DRAIN_ALL);
		for (int s = 0; s < kSides; s++) {
			FUZZ_CHECK(r[s] <= 0, "%s: drain(ALL) returned %d", kSide[s], r[s]);
			FUZZ_CHECK(!r[s] || !cfg.inject_errno || r[s] == -static_cast<int>(cfg.inject_errno),
				   "%s: drain(ALL) returned %d, the injected error is %u", kSide[s], r[s],
				   cfg.inject_errno);
			FUZZ_CHECK(cfg.inject_errno || !r[s], "%s: drain(ALL) failed (%d) without an injected error",
				   kSide[s], r[s]);
		}
		for (int s = 1; s < kSides && det; s++)
			FUZZ_CHECK(r[0] == r[s], "drain(ALL): C %d, %s %d", r[0], kSide[s], r[s]);
		for (int s = 0; s < kSides; s++)
			if (r[s])
				error = std::max(error, -r[s]);
		for (auto &g : rings)
			g.tail = g.head;
	}

	void drain_some(uint32_t flags)
	{
		for (int s = 0; s < kSides; s++) {
			int r = sd[s].ops->drain(sd[s].rb, flags);
			FUZZ_CHECK(r >= 0 || (cfg.inject_errno && r == -static_cast<int>(cfg.inject_errno)),
				   "%s: drain(%u) returned %d", kSide[s], flags, r);
			if (r < 0)
				error = -r;
		}
	}

	// reserve() on both sides (and the model); fills and, unless keep_open, commits.
	void reserve(uint32_t p, uint32_t len, bool use_write, bool keep_open)
	{
		const bool valid_p = p < cfg.producers;
		Ring *g = valid_p ? &rings[p] : nullptr;
		if (g && g->open)
			return; // one reservation per producer
		const uint64_t need = DRVBENCH_RB_REC_SPACE(len);
		const bool may_drop = cfg.policy == DRVBENCH_RB_POLICY_DROP;
		// Block policy: never let the producer wait (there is no other thread to drain).
		if (g && !may_drop && need <= g->size && g->would_wait(need, error, false)) {
			drain_all();
			// A record whose PAD to the end of the ring plus itself exceed the ring (allowed:
			// REC_SPACE(len) <= ring_size) waits with the PAD published until the drain has
			// written it (finding 5's fix); one thread cannot play both sides of that wait.
			if (g->would_wait(need, error, false))
				return;
		}

		std::vector<uint8_t> payload(len);
		int ret[kSides];
		const uint64_t seq = g ? g->seq : 0;
		for (uint32_t k = 0; k < len; k++)
			payload[k] = pattern(p, seq, k);
		for (int s = 0; s < kSides; s++) {
			Side &d = sd[s];
			if (use_write) {
				// len 0: data() may be NULL (finding 2: C's memcpy(p, NULL, 0), fixed)
				ret[s] = d.ops->write(d.rb, p, payload.data(), len);
			} else {
				void *pl = nullptr;
				ret[s] = d.ops->reserve(d.rb, p, len, &pl);
				if (ret[s] == 0) {
					FUZZ_CHECK(pl && (reinterpret_cast<uintptr_t>(pl) & 7) == 0,
						   "%s: reserve() gave payload %p", kSide[s], pl);
					if (len)
						std::memcpy(pl, payload.data(), len);
					if (keep_open)
						d.open_payload[p] = static_cast<uint8_t *>(pl);
					else
						d.ops->commit(d.rb, p);
				}
			}
		}
		if (getenv("DRVBENCH_FUZZ_TRACE"))
			fprintf(stderr, "reserve p%u len %u need %llu write %d open %d -> C %d C++ %d Rust %d (pos %llu tail %llu)\n", p,
				len, (unsigned long long)need, use_write, keep_open, ret[0], ret[1], ret[2],
				g ? (unsigned long long)g->pos : 0ull, g ? (unsigned long long)g->tail : 0ull);
		for (int s = 1; s < kSides && det; s++)
			FUZZ_CHECK(ret[0] == ret[s], "reserve(p %u, len %u): C %d, %s %d", p, len, ret[0], kSide[s], ret[s]);

		// The model. In deterministic mode its tail is exact; otherwise (block policy, no
		// injected errors) it is a lower bound, and the model has drained first whenever a
		// reserve might wait, so the record certainly fits: every prediction is exact.
		int expect;
		if (!g) {
			expect = -EINVAL;
		} else if (need > g->size) {
			expect = -EMSGSIZE;
		} else {
			g->seq++;
			expect = g->reserve(need, error, may_drop);
			FUZZ_CHECK(expect != kWouldWait, "model: producer %u would wait in reserve()", p);
		}
		for (int s = 0; s < kSides; s++)
			FUZZ_CHECK(ret[s] == expect, "%s: reserve(p %u, len %u) = %d, the model says %d (det %d)", kSide[s],
				   p, len, ret[s], expect, det);
		if (!g || need > g->size)
			return;
		if (expect == 0) {
			g->open = need;
			g->open_seq = seq;
			g->open_len = len;
			if (use_write || !keep_open)
				commit(p, false);
		} else if (expect == -ENOBUFS) {
			g->lost_pending++;
			g->dropped.insert(seq);
		} else {
			g->failed.insert(seq);
		}
	}

	void commit(uint32_t p, bool on_sides)
	{
		Ring &g = rings[p];
		if (!g.open)
			return;
		if (on_sides)
			for (int s = 0; s < kSides; s++) {
				sd[s].ops->commit(sd[s].rb, p);
				sd[s].open_payload[p] = nullptr;
			}
		g.pos += g.open;
		g.head = g.pos;
		g.ok[g.open_seq] = g.open_len;
		g.open = 0;
	}

	void finish(uint32_t p)
	{
		Ring &g = rings[p];
		commit(p, true);
		const bool may_drop = false; // finish() waits for room for the marker
		if (g.lost_pending && g.would_wait(0, error, may_drop))
			drain_all(); // make the room it would wait for
		int r[kSides];
		for (int s = 0; s < kSides; s++)
			r[s] = sd[s].ops->finish(sd[s].rb, p);
		if (getenv("DRVBENCH_FUZZ_TRACE"))
			fprintf(stderr, "finish p%u lost_pending %llu -> C %d C++ %d Rust %d\n", p,
				(unsigned long long)g.lost_pending, r[0], r[1], r[2]);
		for (int s = 1; s < kSides; s++)
			FUZZ_CHECK(r[0] == r[s] || !det, "finish(%u): C %d, %s %d", p, r[0], kSide[s], r[s]);
		const int expect = g.lost_pending ? g.put_lost(error, may_drop) : 0;
		FUZZ_CHECK(expect != kWouldWait, "model: producer %u would wait in finish()", p);
		for (int s = 0; s < kSides; s++)
			FUZZ_CHECK(r[s] == expect || (!det && (r[s] == 0 || (error && r[s] == -error))),
				   "%s: finish(%u) = %d, the model says %d", kSide[s], p, r[s], expect);
	}
};

struct FileRecords {
	std::map<uint32_t, std::map<uint64_t, std::vector<uint8_t>>> data; // producer -> seq -> payload
	std::map<uint32_t, std::vector<std::pair<uint64_t, uint64_t>>> lost;
};

// Walks chunks and records of a stream the reader has accepted.
FileRecords parse(const uint8_t *p, size_t n, const char *side)
{
	FileRecords fr;
	size_t off = 0;
	while (off < n) {
		drvbench_rb_chunk_hdr ch;
		FUZZ_CHECK(n - off >= sizeof ch, "%s: torn chunk header at %zu", side, off);
		std::memcpy(&ch, p + off, sizeof ch);
		FUZZ_CHECK(ch.magic == DRVBENCH_RB_CHUNK_MAGIC && ch.length <= n - off - sizeof ch,
			   "%s: bad chunk at %zu", side, off);
		size_t r = off + sizeof ch, end = r + ch.length;
		while (r < end) {
			drvbench_rb_rec_hdr h{};
			std::memcpy(&h, p + r, std::min<size_t>(sizeof h, end - r));
			FUZZ_CHECK(h.len >= 8 && h.len <= end - r, "%s: bad record at %zu", side, r);
			if (h.type == DRVBENCH_RB_REC_DATA) {
				FUZZ_CHECK(h.len >= kHdr + h.pad, "%s: bad DATA record at %zu", side, r);
				auto [it, fresh] = fr.data[ch.producer].emplace(
					h.seq, std::vector<uint8_t>(p + r + kHdr, p + r + h.len - h.pad));
				FUZZ_CHECK(fresh, "%s: producer %u record %llu twice in the file", side, ch.producer,
					   (unsigned long long)h.seq);
			} else if (h.type == DRVBENCH_RB_REC_LOST) {
				uint64_t count = 0;
				std::memcpy(&count, p + r + kHdr, 8);
				fr.lost[ch.producer].emplace_back(h.seq, count);
			}
			r += h.len;
		}
		off = end;
	}
	return fr;
}

std::vector<uint8_t> read_fd(int fd)
{
	struct stat st{};
	FUZZ_CHECK(fstat(fd, &st) == 0, "fstat");
	std::vector<uint8_t> v(static_cast<size_t>(st.st_size));
	size_t got = 0;
	while (got < v.size()) {
		ssize_t r = pread(fd, v.data() + got, v.size() - got, static_cast<off_t>(got));
		FUZZ_CHECK(r > 0, "pread");
		got += static_cast<size_t>(r);
	}
	return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	FuzzedDataProvider in(bytes, size);
	Run run;
	auto &cfg = run.cfg;
	cfg.producers = in.ConsumeIntegralInRange<uint32_t>(1, 4);
	cfg.ring_size = DRVBENCH_RB_MIN_RING_SIZE << in.ConsumeIntegralInRange<int>(0, 4);
	cfg.policy = in.ConsumeBool() ? DRVBENCH_RB_POLICY_DROP : DRVBENCH_RB_POLICY_BLOCK;
	cfg.batch = in.ConsumeIntegralInRange<uint32_t>(1, 8);
	cfg.max_chunk = 64 + 8 * in.ConsumeIntegralInRange<uint32_t>(0, cfg.ring_size / 8);
	cfg.offset = in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<uint64_t>(1, 8192);
	if (in.ConsumeIntegralInRange<int>(0, 7) == 0) {
		cfg.inject_errno = in.ConsumeBool() ? EIO : ENOSPC;
		cfg.inject_after = in.ConsumeIntegralInRange<uint32_t>(0, 24);
	}
	// Sometimes one bad attribute: both refuse, with the same message.
	const int bad = in.ConsumeIntegralInRange<int>(0, 31);
	switch (bad) {
	case 0: cfg.producers = in.ConsumeBool() ? 0 : DRVBENCH_RB_MAX_PRODUCERS + 1; break;
	case 1: cfg.ring_size = in.ConsumeIntegral<uint32_t>() | 1; break;
	case 2: cfg.policy = in.ConsumeIntegralInRange<uint32_t>(2, UINT32_MAX); break;
	case 3: cfg.batch = in.ConsumeBool() ? 0 : DRVBENCH_RB_MAX_BATCH + 1; break;
	case 4: cfg.max_chunk = in.ConsumeIntegralInRange<uint32_t>(0, 63) | (in.ConsumeBool() ? 0x101 : 0); break;
	default: break;
	}
	run.det = cfg.policy == DRVBENCH_RB_POLICY_DROP || in.ConsumeBool();
	// With partial drains, when a sink error becomes visible to the producers depends on when
	// the failed write's completion is reaped; the two sides may then disagree (one record
	// committed, the other refused) and one model cannot follow both: no injection there.
	if (!run.det)
		cfg.inject_errno = 0;

	const drvbench_ringbuf_ops *const side_ops[kSides] = {&kC, &drvbench_cpp_ringbuf_ops,
							       drvbench_plugin()->ringbuf}; // the Rust static library's (rust_drivers/abi.rs)
	for (int s = 0; s < kSides; s++) {
		run.sd[s].ops = side_ops[s];
		run.sd[s].fd = memfd_create(kSide[s], MFD_CLOEXEC);
		FUZZ_CHECK(run.sd[s].fd >= 0, "memfd_create: %s", std::strerror(errno));
	}
	char err[kSides][DRVBENCH_RB_ERR_SIZE] = {};
	for (int s = 0; s < kSides; s++) {
		auto c = cfg;
		c.fd = run.sd[s].fd;
		run.sd[s].rb = run.sd[s].ops->create(&c, err[s], sizeof err[s]);
	}
	const bool refused = bad <= 4;
	for (int s = 0; s < kSides; s++)
		FUZZ_CHECK((run.sd[s].rb == nullptr) == refused, "%s: create() %s (%s)", kSide[s],
			   refused ? "accepted a bad config" : "refused a good config", err[s]);
	if (refused) {
		for (int s = 1; s < kSides; s++)
			FUZZ_CHECK(std::strcmp(err[0], err[s]) == 0, "messages differ: C \"%s\", %s \"%s\"", err[0], kSide[s],
				   err[s]);
		for (int s = 0; s < kSides; s++)
			close(run.sd[s].fd);
		return 0;
	}
	if (getenv("DRVBENCH_FUZZ_TRACE"))
		fprintf(stderr, "config producers %u ring %u policy %u batch %u max_chunk %u offset %llu inject %u after %u det %d\n",
			cfg.producers, cfg.ring_size, cfg.policy, cfg.batch, cfg.max_chunk, (unsigned long long)cfg.offset,
			cfg.inject_errno, cfg.inject_after, run.det);
	run.rings.resize(cfg.producers);
	for (auto &g : run.rings) {
		g.size = cfg.ring_size;
		g.exact_head = run.det; // else the model's head may lag (its tail stays a lower bound)
	}

	for (int step = 0; step < 200 && in.remaining_bytes() > 0; step++) {
		const int op = in.ConsumeIntegralInRange<int>(0, 15);
		const uint32_t p = in.ConsumeIntegralInRange<uint32_t>(0, cfg.producers - 1);
		auto len = [&] {
			switch (in.ConsumeIntegralInRange<int>(0, 7)) {
			case 0: return in.ConsumeIntegralInRange<uint32_t>(0, cfg.ring_size); // up to EMSGSIZE
			case 1: return in.ConsumeIntegralInRange<uint32_t>(0, 2048);
			default: return in.ConsumeIntegralInRange<uint32_t>(0, 96);
			}
		};
		switch (op) {
		case 0: case 1: case 2: case 3: case 4:
			run.reserve(p, len(), true, false);
			break;
		case 5: case 6: case 7:
			run.reserve(p, len(), false, false);
			break;
		case 8: case 9:
			run.reserve(p, len(), false, true);
			break;
		case 10:
			run.commit(p, true);
			break;
		case 11:
			run.reserve(cfg.producers + in.ConsumeIntegralInRange<uint32_t>(0, 100), 8, in.ConsumeBool(), false);
			break;
		case 12: case 13:
			if (run.det)
				run.drain_all();
			else
				run.drain_some(in.ConsumeBool() ? DRVBENCH_RB_DRAIN_WAIT : 0);
			break;
		default:
			run.drain_all();
		}
	}
	for (uint32_t p = 0; p < cfg.producers; p++)
		run.finish(p);
	run.drain_all();

	drvbench_ringbuf_stats st[kSides];
	std::vector<uint8_t> file[kSides];
	for (int s = 0; s < kSides; s++) {
		run.sd[s].ops->stats(run.sd[s].rb, &st[s]);
		file[s] = read_fd(run.sd[s].fd);
	}
	for (int s = 0; s < kSides; s++) {
		const char *side = kSide[s];
		const auto &S = st[s];
		FUZZ_CHECK(S.error == run.error || (!run.det && S.error == static_cast<int>(cfg.inject_errno)),
			   "%s: stats.error %d, model %d", side, S.error, run.error);
		const uint64_t expect_size = S.file_bytes ? cfg.offset + S.file_bytes : (run.error ? file[s].size() : 0);
		FUZZ_CHECK(file[s].size() == expect_size, "%s: file is %zu bytes, offset %llu + file_bytes %llu", side,
			   file[s].size(), (unsigned long long)cfg.offset, (unsigned long long)S.file_bytes);
		const size_t body_off = std::min<size_t>(file[s].size(), cfg.offset);
		for (size_t i = 0; i < body_off; i++)
			FUZZ_CHECK(file[s][i] == 0, "%s: byte %zu before the offset written", side, i);

		std::map<uint32_t, drvbench::ringbuf::Expectation> expect;
		for (uint32_t p = 0; p < cfg.producers; p++)
			expect[p] = {S.p[p].produced, S.p[p].persisted, S.p[p].dropped, S.p[p].failed, S.error};
		// Finding 6: after a sink error the file is a prefix of the stream (a LOST marker's chunk
		// may have failed with no DATA record in it); the reader knows it from sink_error.
		auto rep = drvbench::ringbuf::verify_stream(file[s].data() + body_off, file[s].size() - body_off, expect);
		FUZZ_CHECK(rep.ok(), "%s: the reader refuses the file:\n%s", side, rep.summary().c_str());

		FileRecords fr = parse(file[s].data() + body_off, file[s].size() - body_off, side);
		for (uint32_t p = 0; p < cfg.producers; p++) {
			const Ring &g = run.rings[p];
			const auto &ps = S.p[p];
			FUZZ_CHECK(ps.produced == g.seq, "%s: producer %u produced %llu, model %llu", side, p,
				   (unsigned long long)ps.produced, (unsigned long long)g.seq);
			FUZZ_CHECK(ps.produced == ps.persisted + ps.dropped + ps.failed,
				   "%s: producer %u: produced %llu != persisted %llu + dropped %llu + failed %llu", side, p,
				   (unsigned long long)ps.produced, (unsigned long long)ps.persisted,
				   (unsigned long long)ps.dropped, (unsigned long long)ps.failed);
			FUZZ_CHECK(ps.dropped == g.dropped.size(), "%s: producer %u dropped %llu, model %zu", side, p,
				   (unsigned long long)ps.dropped, g.dropped.size());
			FUZZ_CHECK(cfg.policy == DRVBENCH_RB_POLICY_DROP || ps.waits == 0,
				   "%s: producer %u waited %llu times (the model never lets it)", side, p,
				   (unsigned long long)ps.waits);
			const auto &recs = fr.data[p];
			FUZZ_CHECK(recs.size() == ps.persisted, "%s: producer %u: %zu records in the file, persisted %llu",
				   side, p, recs.size(), (unsigned long long)ps.persisted);
			for (const auto &[seq, pl] : recs) {
				auto it = g.ok.find(seq);
				FUZZ_CHECK(it != g.ok.end(), "%s: producer %u record %llu in the file was never committed", side,
					   p, (unsigned long long)seq);
				FUZZ_CHECK(pl.size() == it->second, "%s: producer %u record %llu: %zu bytes, written %u", side, p,
					   (unsigned long long)seq, pl.size(), it->second);
				for (uint32_t k = 0; k < pl.size(); k++)
					FUZZ_CHECK(pl[k] == pattern(p, seq, k), "%s: producer %u record %llu byte %u differs", side,
						   p, (unsigned long long)seq, k);
			}
			if (!run.error) {
				FUZZ_CHECK(recs.size() == g.ok.size() && ps.failed == 0,
					   "%s: producer %u: %zu of %zu committed records in the file", side, p, recs.size(),
					   g.ok.size());
				std::set<uint64_t> covered;
				for (auto [first, count] : fr.lost[p])
					for (uint64_t q = first; q < first + count; q++) {
						FUZZ_CHECK(g.dropped.count(q), "%s: producer %u: LOST covers %llu, not dropped", side,
							   p, (unsigned long long)q);
						FUZZ_CHECK(covered.insert(q).second, "%s: producer %u: %llu lost twice", side, p,
							   (unsigned long long)q);
					}
				FUZZ_CHECK(covered.size() == g.dropped.size(), "%s: producer %u: LOST markers cover %zu of %zu",
					   side, p, covered.size(), g.dropped.size());
				FUZZ_CHECK(ps.lost_markers == g.lost_markers && fr.lost[p].size() == g.lost_markers,
					   "%s: producer %u: %llu lost markers, %zu in the file, model %llu", side, p,
					   (unsigned long long)ps.lost_markers, fr.lost[p].size(),
					   (unsigned long long)g.lost_markers);
			} else {
				FUZZ_CHECK(ps.failed >= g.failed.size(), "%s: producer %u failed %llu, model at least %zu", side,
					   p, (unsigned long long)ps.failed, g.failed.size());
			}
		}
	}
	if (run.det) {
		// Chunking and the order of chunks depend only on the committed bytes (finding 7 fixed:
		// round-robin per chunk), so the files are byte-identical, several producers included.
		for (int s = 1; s < kSides; s++) {
			size_t at = 0;
			while (at < std::min(file[0].size(), file[s].size()) && file[0][at] == file[s][at])
				at++;
			FUZZ_CHECK(file[0] == file[s], "C and %s files differ (%zu and %zu bytes) first at byte %zu", kSide[s],
				   file[0].size(), file[s].size(), at);
			FUZZ_CHECK(st[0].file_bytes == st[s].file_bytes && st[0].chunks == st[s].chunks,
				   "file_bytes/chunks differ: C and %s", kSide[s]);
			for (uint32_t p = 0; p < cfg.producers; p++) {
				const auto &a = st[0].p[p], &b = st[s].p[p];
				FUZZ_CHECK(a.produced == b.produced && a.dropped == b.dropped && a.persisted == b.persisted &&
						   a.failed == b.failed && a.lost_markers == b.lost_markers && a.waits == b.waits,
					   "producer %u: C and %s statistics differ", p, kSide[s]);
			}
		}
	}
	for (int s = 0; s < kSides; s++) {
		run.sd[s].ops->destroy(run.sd[s].rb);
		close(run.sd[s].fd);
	}
	return 0;
}
