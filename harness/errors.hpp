// Error types of the harness: bad input (exit 2, one line naming file/option and key)
// versus a failure while running (exit 1). Every command reports through these.
#pragma once

#include <stdexcept>
#include <string>

namespace drvbench {

// Bad input: a workload file, a suite, an option. Printed as
//   drvbench: <where>: <key>: <message>
// (key omitted when empty). Exit status 2. Thrown before anything is written.
class UsageError : public std::runtime_error {
public:
	UsageError(std::string where, std::string key, std::string message)
		: std::runtime_error(format(where, key, message)), where_(cap(std::move(where), kMaxQuoted)),
		  key_(cap(std::move(key), kMaxQuoted)), message_(cap(std::move(message), kMaxMessage))
	{
	}
	// What an error line quotes of user input is capped (a 1 MB key is not echoed whole).
	static constexpr size_t kMaxQuoted = 200, kMaxMessage = 1000;
	const std::string &where() const { return where_; }
	const std::string &key() const { return key_; }
	const std::string &message() const { return message_; }

private:
	static std::string format(const std::string &w, const std::string &k, const std::string &m)
	{
		std::string s = cap(w, kMaxQuoted);
		if (!k.empty())
			s += ": " + cap(k, kMaxQuoted);
		return one_line(s + ": " + cap(m, kMaxMessage));
	}
	// The first n bytes (not cutting a UTF-8 sequence) and how many bytes were left out.
	static std::string cap(std::string s, size_t n)
	{
		if (s.size() <= n)
			return s;
		const size_t total = s.size();
		size_t end = n;
		while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80)
			end--;
		std::string out(s, 0, end); // append, not operator+ (gcc 12 -Wrestrict false positive)
		out.append("...[").append(std::to_string(total - end)).append(" more bytes]");
		return out;
	}
	// Messages quote user input and library text (toml++ echoes the offending source, which
	// may hold a newline): control characters are shown escaped so the error stays one line.
	static std::string one_line(const std::string &in)
	{
		static const char hex[] = "0123456789abcdef";
		std::string out;
		out.reserve(in.size());
		for (unsigned char c : in) {
			if (c == '\n')
				out += "\\n";
			else if (c == '\r')
				out += "\\r";
			else if (c == '\t')
				out += "\\t";
			else if (c < 0x20 || c == 0x7f) {
				out += "\\x";
				out += hex[c >> 4];
				out += hex[c & 15];
			} else
				out += static_cast<char>(c);
		}
		return out;
	}
	std::string where_, key_, message_;
};

// Something went wrong while doing the work (plugins disagree, I/O failed). Exit status 1.
class RuntimeError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

} // namespace drvbench
