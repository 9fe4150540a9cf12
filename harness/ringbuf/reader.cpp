// The ringbuf stream reader; see reader.hpp.
#include "reader.hpp"

#include "errors.hpp"
#include "fsutil.hpp"

#include <drvbench/ringbuf.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace drvbench::ringbuf {

namespace {

struct Crc32cTable {
	uint32_t t[8][256];
	Crc32cTable()
	{
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
			t[0][i] = c;
		}
		for (uint32_t i = 0; i < 256; i++)
			for (int s = 1; s < 8; s++)
				t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
	}
};

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc_hw(uint32_t c, const uint8_t *p, size_t n)
{
	uint64_t v64 = c;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		v64 = __builtin_ia32_crc32di(v64, v);
	}
	c = static_cast<uint32_t>(v64);
	for (; n; p++, n--)
		c = __builtin_ia32_crc32qi(c, *p);
	return c;
}
#endif

uint32_t crc_sw(uint32_t c, const uint8_t *p, size_t n)
{
	static const Crc32cTable tab;
	for (; n >= 8; p += 8, n -= 8) { // slicing-by-8
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= c;
		c = tab.t[7][lo & 0xff] ^ tab.t[6][(lo >> 8) & 0xff] ^ tab.t[5][(lo >> 16) & 0xff] ^ tab.t[4][lo >> 24] ^
		    tab.t[3][hi & 0xff] ^ tab.t[2][(hi >> 8) & 0xff] ^ tab.t[1][(hi >> 16) & 0xff] ^ tab.t[0][hi >> 24];
	}
	for (; n; p++, n--)
		c = tab.t[0][(c ^ *p) & 0xff] ^ (c >> 8);
	return c;
}

std::string hex(uint64_t v)
{
	char b[32];
	snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
	return b;
}

class Checker {
public:
	Checker(const uint8_t *d, size_t n) : data_(d), size_(n) { rep_.file_bytes = n; }

	Report run(const std::optional<std::map<uint32_t, Expectation>> &expect)
	{
		uint64_t off = 0;
		while (off < size_) {
			if (size_ - off < DRVBENCH_RB_CHUNK_HDR_SIZE) {
				torn(off, "a partial chunk header");
				break;
			}
			drvbench_rb_chunk_hdr h;
			memcpy(&h, data_ + off, sizeof h);
			if (!plausible(h)) {
				problem(off, "no valid chunk header (magic " + hex(h.magic) + ", length " +
						     std::to_string(h.length) + ")");
				uint64_t next = resync(off + DRVBENCH_RB_ALIGN);
				rep_.skipped_bytes += next - off;
				off = next;
				continue;
			}
			const uint64_t whole = DRVBENCH_RB_CHUNK_HDR_SIZE + static_cast<uint64_t>(h.length);
			if (whole > size_ - off) {
				torn(off, "chunk of producer " + std::to_string(h.producer) + " needs " +
						  std::to_string(whole) + " bytes, " + std::to_string(size_ - off) +
						  " are left");
				break;
			}
			if (!crc_ok(off, h)) {
				rep_.bad_chunks++;
				problem(off, "checksum mismatch in chunk of producer " + std::to_string(h.producer) +
						     " (first seq " + std::to_string(h.first_seq) + ", " +
						     std::to_string(h.nr_records) + " records by its header): damaged");
				damaged_[h.producer] = true;
				off += whole;
				continue;
			}
			records(off, h);
			off += whole;
		}
		if (expect)
			check_expectations(*expect);
		return std::move(rep_);
	}

private:
	const uint8_t *data_;
	size_t size_;
	Report rep_;
	std::map<uint32_t, bool> damaged_; // a damaged chunk precedes: the next seq is unknown

	void problem(uint64_t off, std::string what)
	{
		rep_.nr_problems++;
		if (rep_.problems.size() < Report::kMaxProblems)
			rep_.problems.push_back({off, std::move(what)});
	}

	void torn(uint64_t off, const std::string &what)
	{
		rep_.torn_tail_bytes = size_ - off;
		problem(off, "torn tail: " + std::to_string(size_ - off) + " bytes after the last whole chunk (" + what +
				     ")");
	}

	// Sequence numbers a run can reach: records is an int64 per producer.
	static constexpr uint64_t kMaxSeq = uint64_t{1} << 63;

	static bool plausible(const drvbench_rb_chunk_hdr &h)
	{
		return h.magic == DRVBENCH_RB_CHUNK_MAGIC && h.version == DRVBENCH_RB_CHUNK_VERSION &&
		       h.producer < DRVBENCH_RB_MAX_PRODUCERS && h.length % DRVBENCH_RB_ALIGN == 0 && h.reserved == 0;
	}

	bool crc_ok(uint64_t off, const drvbench_rb_chunk_hdr &h)
	{
		rep_.crc_bytes += sizeof h + h.length;
		drvbench_rb_chunk_hdr z = h;
		z.crc32c = 0;
		uint32_t c = crc32c(reinterpret_cast<const uint8_t *>(&z), sizeof z);
		c = crc32c(data_ + off + sizeof z, h.length, c);
		return c == h.crc32c;
	}

	// The next 8-aligned offset holding a plausible header whose checksum is good. Linear:
	// a candidate's checksum comes from prefix CRC registers (checkpoints every kStep bytes,
	// built once), so it costs O(kStep) however long the chunk it claims; checksumming every
	// candidate's whole claimed length was quadratic on crafted input (issue 17).
	uint64_t resync(uint64_t from)
	{
		for (uint64_t o = from; o + DRVBENCH_RB_CHUNK_HDR_SIZE <= size_; o += DRVBENCH_RB_ALIGN) {
			drvbench_rb_chunk_hdr h;
			memcpy(&h, data_ + o, sizeof h);
			if (plausible(h) && DRVBENCH_RB_CHUNK_HDR_SIZE + static_cast<uint64_t>(h.length) <= size_ - o &&
			    crc_ok_fast(o, h))
				return o;
		}
		return size_;
	}

	// Raw CRC-32C register arithmetic (reflected, no pre/post inversion): advance(v, n) is v
	// through n zero bytes, i.e. v * x^(8n) mod P, as zlib's crc32_combine computes it.
	static uint32_t multmodp(uint32_t a, uint32_t b)
	{
		uint32_t m = 1u << 31, p = 0;
		for (;;) {
			if (a & m) {
				p ^= b;
				if ((a & (m - 1)) == 0)
					break;
			}
			m >>= 1;
			b = b & 1 ? (b >> 1) ^ 0x82f63b78u : b >> 1;
		}
		return p;
	}
	static uint32_t advance(uint32_t v, uint64_t n)
	{
		static const std::array<uint32_t, 64> x2n = [] {
			std::array<uint32_t, 64> t{};
			uint32_t p = 1u << 30; // x^1
			for (auto &e : t) {
				e = p;
				p = multmodp(p, p);
			}
			return t;
		}();
		uint32_t x = 1u << 31; // x^0
		for (unsigned k = 3; n; n >>= 1, k++) // x^(8n)
			if (n & 1)
				x = multmodp(x2n[k & 63], x);
		return multmodp(x, v);
	}
	// The raw register after bytes [0, x) from register 0.
	uint32_t prefix(uint64_t x)
	{
		const uint64_t k = x / kStep;
		while (cps_.size() <= k) { // checkpoint i: prefix(i * kStep)
			const uint64_t at = (cps_.size() - 1) * kStep;
			const uint64_t n = std::min<uint64_t>(kStep, size_ - at);
			rep_.crc_bytes += n;
			cps_.push_back(~crc32c(data_ + at, n, ~cps_.back()));
			if (n < kStep)
				break;
		}
		const uint64_t at = k * kStep;
		rep_.crc_bytes += x - at;
		return ~crc32c(data_ + at, x - at, ~cps_[k]);
	}
	bool crc_ok_fast(uint64_t off, const drvbench_rb_chunk_hdr &h)
	{
		if (h.length <= kStep) // short: directly
			return crc_ok(off, h);
		drvbench_rb_chunk_hdr z = h;
		z.crc32c = 0;
		rep_.crc_bytes += sizeof z;
		// The register after the zeroed header, then through the records: by linearity,
		// reg(s0, [a, b)) = advance(s0 ^ prefix(a), b - a) ^ prefix(b).
		const uint32_t s0 = ~crc32c(reinterpret_cast<const uint8_t *>(&z), sizeof z);
		const uint64_t a = off + sizeof z, b = a + h.length;
		const uint32_t reg = advance(s0 ^ prefix(a), h.length) ^ prefix(b);
		return ~reg == h.crc32c;
	}
	static constexpr uint64_t kStep = 256;
	std::vector<uint32_t> cps_{0};

	void records(uint64_t off, const drvbench_rb_chunk_hdr &h)
	{
		ProducerReport &p = rep_.producers[h.producer];
		if (damaged_[h.producer]) {
			// Records of a damaged chunk are missing: say how many, then go on from here.
			if (h.first_seq > p.next_seq)
				problem(off, "producer " + std::to_string(h.producer) + ": records " +
						     std::to_string(p.next_seq) + ".." + std::to_string(h.first_seq - 1) +
						     " lost with the damaged chunk");
			p.next_seq = h.first_seq;
			damaged_[h.producer] = false;
		}
		const uint8_t *base = data_ + off + DRVBENCH_RB_CHUNK_HDR_SIZE;
		uint64_t pos = 0, nrec = 0;
		bool first = true, bad = false;
		while (pos < h.length) {
			const uint64_t roff = off + DRVBENCH_RB_CHUNK_HDR_SIZE + pos;
			drvbench_rb_rec_hdr r{};
			memcpy(&r, base + pos, std::min<uint64_t>(sizeof r, h.length - pos));
			if (r.len < 8 || r.len % DRVBENCH_RB_ALIGN || r.len > h.length - pos ||
			    (r.type != DRVBENCH_RB_REC_PAD && r.len < DRVBENCH_RB_REC_HDR_SIZE)) {
				problem(roff, "producer " + std::to_string(h.producer) + ": bad record length " +
						      std::to_string(r.len));
				bad = true;
				break;
			}
			if (r.type == DRVBENCH_RB_REC_DATA || r.type == DRVBENCH_RB_REC_LOST) {
				if (first && r.seq != h.first_seq)
					problem(roff, "producer " + std::to_string(h.producer) + ": chunk says first seq " +
							      std::to_string(h.first_seq) + ", its first record has " +
							      std::to_string(r.seq));
				first = false;
				if (r.seq != p.next_seq) {
					if (r.seq < p.next_seq)
						problem(roff, "producer " + std::to_string(h.producer) + ": record seq " +
								      std::to_string(r.seq) + " again or out of order (expected " +
								      std::to_string(p.next_seq) + ")");
					else
						problem(roff, "producer " + std::to_string(h.producer) + ": records " +
								      std::to_string(p.next_seq) + ".." + std::to_string(r.seq - 1) +
								      " missing");
				}
			}
			if (r.type == DRVBENCH_RB_REC_DATA) {
				if (r.pad > 7 || r.pad + DRVBENCH_RB_REC_HDR_SIZE > r.len) {
					problem(roff, "producer " + std::to_string(h.producer) + ": bad padding " +
							      std::to_string(r.pad));
					bad = true;
				}
				if (r.seq >= kMaxSeq) {
					problem(roff, "producer " + std::to_string(h.producer) + ": record seq " +
							      std::to_string(r.seq) + " beyond 2^63 (no run produces that many)");
					bad = true;
				} else {
					p.next_seq = std::max(p.next_seq, r.seq + 1);
				}
				nrec++;
				p.records++;
				p.payload_bytes += r.len - DRVBENCH_RB_REC_HDR_SIZE - std::min<uint32_t>(r.pad, 7);
			} else if (r.type == DRVBENCH_RB_REC_LOST) {
				uint64_t count = 0;
				if (r.len >= DRVBENCH_RB_LOST_SIZE)
					memcpy(&count, base + pos + DRVBENCH_RB_REC_HDR_SIZE, 8);
				if (r.len != DRVBENCH_RB_LOST_SIZE || count == 0) {
					problem(roff, "producer " + std::to_string(h.producer) + ": bad lost-records marker");
					bad = true;
				} else if (r.seq >= kMaxSeq || count > kMaxSeq - r.seq) {
					// seq + count would pass 2^63 (or wrap): records is an int64 per producer.
					problem(roff, "producer " + std::to_string(h.producer) + ": lost-records marker from seq " +
							      std::to_string(r.seq) + " counts " + std::to_string(count) +
							      ", beyond 2^63 sequence numbers");
					bad = true;
				} else {
					p.lost = p.lost > UINT64_MAX - count ? UINT64_MAX : p.lost + count;
					p.lost_markers++;
					p.next_seq = std::max(p.next_seq, r.seq + count);
				}
			} else if (r.type != DRVBENCH_RB_REC_PAD) {
				problem(roff, "producer " + std::to_string(h.producer) + ": unknown record type " +
						      std::to_string(r.type));
				bad = true;
			}
			pos += r.len;
		}
		if (!bad && nrec != h.nr_records)
			problem(off, "producer " + std::to_string(h.producer) + ": chunk says " +
					     std::to_string(h.nr_records) + " records, holds " + std::to_string(nrec));
		if (bad)
			rep_.bad_chunks++;
		else
			rep_.chunks++;
		p.chunks++;
		rep_.records += nrec;
	}

	void check_expectations(const std::map<uint32_t, Expectation> &expect)
	{
		for (const auto &[id, e] : expect) {
			ProducerReport p;
			if (auto it = rep_.producers.find(id); it != rep_.producers.end())
				p = it->second;
			const std::string who = "producer " + std::to_string(id) + ": ";
			if (e.produced != e.persisted + e.dropped + e.failed)
				problem(0, who + "produced " + std::to_string(e.produced) + " != persisted " +
						   std::to_string(e.persisted) + " + dropped " + std::to_string(e.dropped) +
						   " + failed " + std::to_string(e.failed));
			if (p.records != e.persisted)
				problem(0, who + "the file holds " + std::to_string(p.records) + " records, the run persisted " +
						   std::to_string(e.persisted));
			if (e.sink_error == 0 && e.failed == 0) {
				// Whole stream: every sequence number is a record or declared lost.
				if (p.next_seq != e.produced)
					problem(0, who + "sequence numbers reach " + std::to_string(p.next_seq) + ", " +
							   std::to_string(e.produced) + " were produced");
				if (p.lost != e.dropped)
					problem(0, who + "lost-records markers declare " + std::to_string(p.lost) + ", " +
							   std::to_string(e.dropped) + " were dropped");
			} else {
				// A prefix of the stream: it cannot reach past what was produced or declare
				// more drops than there were.
				if (p.next_seq > e.produced)
					problem(0, who + "sequence numbers reach " + std::to_string(p.next_seq) + ", only " +
							   std::to_string(e.produced) + " were produced");
				if (p.lost > e.dropped)
					problem(0, who + "lost-records markers declare " + std::to_string(p.lost) + ", only " +
							   std::to_string(e.dropped) + " were dropped");
			}
		}
		for (const auto &[id, p] : rep_.producers)
			if (!expect.count(id))
				problem(0, "producer " + std::to_string(id) + ": in the file but not in the run");
	}
};

} // namespace

uint32_t crc32c(const uint8_t *p, size_t n, uint32_t crc)
{
	uint32_t c = ~crc;
#if defined(__x86_64__)
	static const bool hw = __builtin_cpu_supports("sse4.2");
	if (hw)
		return ~crc_hw(c, p, n);
#endif
	return ~crc_sw(c, p, n);
}

Report verify_stream(const uint8_t *data, size_t size, const std::optional<std::map<uint32_t, Expectation>> &expect)
{
	return Checker(data, size).run(expect);
}

Report verify_file(const std::string &path, const std::optional<std::map<uint32_t, Expectation>> &expect)
{
	int fd = open_regular_file(path, UINT64_MAX); // a FIFO or a device: refused, never waited on
	try {
		Report r = verify_fd(fd, path, expect);
		close(fd);
		return r;
	} catch (...) {
		close(fd);
		throw;
	}
}

Report verify_fd(int fd, const std::string &name, const std::optional<std::map<uint32_t, Expectation>> &expect)
{
	struct stat st {};
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		throw UsageError(name, "", "not a regular file");
	const auto size = static_cast<size_t>(st.st_size);
	if (size == 0)
		return verify_stream(nullptr, 0, expect);
	void *m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (m == MAP_FAILED)
		throw RuntimeError(name + ": cannot map: " + strerror(errno));
	Report r = verify_stream(static_cast<const uint8_t *>(m), size, expect);
	munmap(m, size);
	return r;
}

nlohmann::json Report::to_json() const
{
	nlohmann::json j;
	j["ok"] = ok();
	j["file_bytes"] = file_bytes;
	j["chunks"] = chunks;
	j["bad_chunks"] = bad_chunks;
	j["records"] = records;
	j["torn_tail_bytes"] = torn_tail_bytes;
	j["skipped_bytes"] = skipped_bytes;
	nlohmann::json ps = nlohmann::json::object();
	for (const auto &[id, p] : producers)
		ps[std::to_string(id)] = {{"chunks", p.chunks},     {"records", p.records},
					  {"lost", p.lost},         {"lost_markers", p.lost_markers},
					  {"next_seq", p.next_seq}, {"payload_bytes", p.payload_bytes}};
	j["producers"] = ps;
	nlohmann::json pr = nlohmann::json::array();
	for (const auto &p : problems)
		pr.push_back({{"offset", p.offset}, {"what", p.what}});
	j["problems"] = pr;
	j["nr_problems"] = nr_problems;
	return j;
}

std::string Report::summary() const
{
	std::string s = std::to_string(file_bytes) + " bytes, " + std::to_string(chunks) + " good chunks, " +
			std::to_string(bad_chunks) + " damaged, " + std::to_string(records) + " records from " +
			std::to_string(producers.size()) + " producer(s)\n";
	for (const auto &[id, p] : producers)
		s += "  producer " + std::to_string(id) + ": " + std::to_string(p.records) + " records, " +
		     std::to_string(p.lost) + " declared lost in " + std::to_string(p.lost_markers) +
		     " markers, sequence 0.." + (p.next_seq ? std::to_string(p.next_seq - 1) : std::string("(none)")) + "\n";
	for (const auto &p : problems)
		s += "  problem at offset " + std::to_string(p.offset) + ": " + p.what + "\n";
	if (nr_problems > problems.size())
		s += "  ... and " + std::to_string(nr_problems - problems.size()) + " more problems\n";
	s += ok() ? "verified: every record present once, in order, checksums good\n"
		  : "FAILED: " + std::to_string(nr_problems) + " problem(s)\n";
	return s;
}

} // namespace drvbench::ringbuf
