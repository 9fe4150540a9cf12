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
		: std::runtime_error(format(where, key, message)), where_(std::move(where)),
		  key_(std::move(key)), message_(std::move(message))
	{
	}
	const std::string &where() const { return where_; }
	const std::string &key() const { return key_; }
	const std::string &message() const { return message_; }

private:
	static std::string format(const std::string &w, const std::string &k, const std::string &m)
	{
		std::string s = w;
		if (!k.empty())
			s += ": " + k;
		return one_line(s + ": " + m);
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
