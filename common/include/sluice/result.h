// sluice::Error, sluice::Result<T> and sluice::Status: errors as values, the one error type of
// every Sluice module and of libsluice's public API. Result<T> holds either a value or an Error,
// which carries a std::error_code (Kafka, ZooKeeper or system category) plus a human-readable
// context such as the field or znode that failed.
//
// A public header (installed with libsluice as <sluice/result.h>): standard library only.
// Sluice's own code includes it through common/result.h, which adds SLUICE_TRY/SLUICE_CHECK.
#pragma once

#include <cassert>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace sluice {

class Error {
 public:
  Error() = default;
  Error(std::error_code code, std::string context = {})  // NOLINT: implicit on purpose
      : code_(code), context_(std::move(context)) {}

  const std::error_code& code() const { return code_; }
  // Extra detail for humans ("topics[2].name: length 70000 exceeds frame").
  const std::string& context() const { return context_; }
  // "<category>: <message>[: <context>]"
  std::string to_string() const;

  friend bool operator==(const Error& e, std::error_code c) { return e.code_ == c; }
  template <class E>
  requires std::is_error_code_enum_v<E>
  friend bool operator==(const Error& e, E c) { return e.code_ == make_error_code(c); }

 private:
  std::error_code code_;
  std::string context_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {
    assert(std::get<1>(v_).code() && "a failed Result needs a non-zero error code");
  }
  Result(std::error_code code) : Result(Error(code)) {}  // NOLINT
  template <class E>
  requires std::is_error_code_enum_v<E> Result(E code)
      : Result(Error(make_error_code(code))) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  // REQUIRES: !ok()
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT
  Result(std::error_code code) : Result(Error(code)) {}             // NOLINT
  template <class E>
  requires std::is_error_code_enum_v<E> Result(E code)
      : Result(Error(make_error_code(code))) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  // REQUIRES: !ok()
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

inline Status ok_status() { return {}; }

}  // namespace sluice
