// SPDX-License-Identifier: MIT
// Errors are values (DESIGN.md "Safe C++"): a Result holds either a value or an
// error, must not be ignored, and is checked before the value is read.
// The shape follows SerenityOS's ErrorOr<T> without exceptions or allocation.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

namespace drvbench {

template <typename E>
struct Unexpected {
	E error;
};

template <typename T, typename E>
class [[nodiscard]] Result {
public:
	constexpr Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
	constexpr Result(Unexpected<E> err) : state_(std::in_place_index<1>, err.error) {}

	[[nodiscard]] constexpr bool ok() const { return state_.index() == 0; }
	// Reading the value of an error is a bug; std::get_if keeps it defined.
	[[nodiscard]] constexpr const T *value() const { return std::get_if<0>(&state_); }
	[[nodiscard]] constexpr const E *error() const { return std::get_if<1>(&state_); }

private:
	std::variant<T, E> state_;
};

template <typename E>
constexpr Unexpected<E> fail(E e) { return Unexpected<E>{e}; }

} // namespace drvbench
