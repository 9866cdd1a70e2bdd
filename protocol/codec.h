// The generic encoder and decoder behind every message definition (see protocol/message.h).
// Include only from protocol/messages/*.cpp: the templates are instantiated once per message
// type there, and everyone else calls the encode()/decode() functions declared with
// SLUICE_DECLARE_CODEC.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "protocol/message.h"

namespace sluice::protocol::codec {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <>
struct is_vector<Bytes> : std::false_type {};

template <class T>
inline constexpr bool is_struct_v = std::is_base_of_v<MessageStruct, T>;

inline bool in_range(const FieldSpec& s, int16_t version) {
  return version >= s.since && version <= s.until;
}

// Smallest number of bytes a value of type T occupies on the wire at a version: used to
// refuse array counts that could not fit in the bytes left (no allocation from a lie).
class MinSize {
 public:
  MinSize(int16_t version, bool flexible) : version_(version), flexible_(flexible) {}
  template <class T>
  void field(const char*, T& value, const FieldSpec& s) {
    if (in_range(s, version_) && s.tag < 0) total_ += of<T>(value);
  }
  std::size_t total() const { return total_; }

  template <class T>
  std::size_t of(T& value) {
    if constexpr (std::is_arithmetic_v<T>) {
      return sizeof(T);
    } else if constexpr (std::is_same_v<T, Uuid>) {
      return 16;
    } else if constexpr (std::is_same_v<T, std::string>) {
      return flexible_ ? 1 : 2;
    } else if constexpr (std::is_same_v<T, Bytes> || std::is_same_v<T, Records> ||
                         is_vector<T>::value) {
      return flexible_ ? 1 : 4;
    } else if constexpr (is_optional<T>::value) {
      typename T::value_type inner{};
      return std::min<std::size_t>(of(inner), 1);
    } else if constexpr (is_struct_v<T>) {
      MinSize nested(version_, flexible_);
      value.fields(nested);
      return nested.total() + (flexible_ ? 1 : 0);
    } else {
      static_assert(sizeof(T) == 0, "unsupported field type");
    }
  }

 private:
  int16_t version_;
  bool flexible_;
  std::size_t total_ = 0;
};

template <class E>
std::size_t min_element_size(int16_t version, bool flexible) {
  E sample{};
  return std::max<std::size_t>(MinSize(version, flexible).of(sample), 1);
}

// ---------------------------------------------------------------------------------------
class Encoder {
 public:
  Encoder(ByteWriter& out, int16_t version, bool flexible)
      : out_(out), version_(version), flexible_(flexible) {}

  template <class T>
  void field(const char*, const T& value, const FieldSpec& s) {
    if (!in_range(s, version_) || s.tag >= 0) return;
    write(value, version_ >= s.nullable_since, false);
  }

  template <class S>
  void write_struct(const S& s);

  template <class T>
  void write(const T& v, bool nullable, bool tagged);

 private:
  ByteWriter& out_;
  int16_t version_;
  bool flexible_;
};

// Serializes the engaged tagged fields of one struct, for the tag section.
class TagCollector {
 public:
  TagCollector(int16_t version) : version_(version) {}
  template <class T>
  void field(const char*, const T& value, const FieldSpec& s) {
    if (!in_range(s, version_) || s.tag < 0) return;
    if constexpr (is_optional<T>::value) {
      if (!value) return;
    }
    ByteWriter tmp;
    Encoder e(tmp, version_, true);
    e.write(value, version_ >= s.nullable_since, true);
    tags.push_back({static_cast<uint32_t>(s.tag), std::move(tmp.bytes())});
  }
  std::vector<RawTaggedField> tags;

 private:
  int16_t version_;
};

template <class S>
void Encoder::write_struct(const S& s) {
  auto& mut = const_cast<S&>(s);  // fields() is shared with the decoder; encoding only reads
  mut.fields(*this);
  if (!flexible_) return;
  TagCollector collector(version_);
  mut.fields(collector);
  auto& tags = collector.tags;
  tags.insert(tags.end(), s.unknown_tags.begin(), s.unknown_tags.end());
  std::stable_sort(tags.begin(), tags.end(), [](auto& a, auto& b) { return a.tag < b.tag; });
  out_.write_uvarint(static_cast<uint32_t>(tags.size()));
  for (auto& t : tags) {
    out_.write_uvarint(t.tag);
    out_.write_uvarint(static_cast<uint32_t>(t.data.size()));
    out_.write_raw(t.data);
  }
}

template <class T>
void Encoder::write(const T& v, bool nullable, bool tagged) {
  if constexpr (std::is_same_v<T, int8_t>) {
    out_.write_i8(v);
  } else if constexpr (std::is_same_v<T, int16_t>) {
    out_.write_i16(v);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    out_.write_i32(v);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    out_.write_i64(v);
  } else if constexpr (std::is_same_v<T, uint16_t>) {
    out_.write_u16(v);
  } else if constexpr (std::is_same_v<T, uint32_t>) {
    out_.write_u32(v);
  } else if constexpr (std::is_same_v<T, bool>) {
    out_.write_bool(v);
  } else if constexpr (std::is_same_v<T, double>) {
    out_.write_f64(v);
  } else if constexpr (std::is_same_v<T, Uuid>) {
    out_.write_uuid(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    out_.write_string_length(static_cast<int32_t>(v.size()), flexible_);
    out_.write_raw(std::string_view(v));
  } else if constexpr (std::is_same_v<T, Bytes>) {
    out_.write_bytes_length(static_cast<int32_t>(v.size()), flexible_);
    out_.write_raw(v);
  } else if constexpr (std::is_same_v<T, Records>) {
    if (v.is_null()) {
      out_.write_bytes_length(-1, flexible_);
    } else if (v.is_file()) {
      out_.write_bytes_length(static_cast<int32_t>(v.size()), flexible_);
      out_.splice_file(v.region());
    } else {
      out_.write_bytes_length(static_cast<int32_t>(v.size()), flexible_);
      out_.write_raw(v.bytes());
    }
  } else if constexpr (is_optional<T>::value) {
    using Inner = typename T::value_type;
    if constexpr (is_struct_v<Inner> || std::is_arithmetic_v<Inner> ||
                  std::is_same_v<Inner, Uuid>) {
      if (tagged) {  // presence is the tag itself
        if (v) write(*v, nullable, false);
        return;
      }
      // Nullable struct: int8 -1 for null, 1 followed by the struct.
      if (!v) {
        out_.write_i8(-1);
      } else {
        out_.write_i8(1);
        write(*v, false, false);
      }
    } else if (v) {
      write(*v, nullable, false);
    } else if (nullable) {
      if constexpr (std::is_same_v<Inner, std::string>) {
        out_.write_string_length(-1, flexible_);
      } else if constexpr (std::is_same_v<Inner, Bytes>) {
        out_.write_bytes_length(-1, flexible_);
      } else {
        out_.write_array_length(-1, flexible_);
      }
    } else {
      write(Inner{}, false, false);  // null in a version that cannot say so: the default
    }
  } else if constexpr (is_vector<T>::value) {
    out_.write_array_length(static_cast<int32_t>(v.size()), flexible_);
    for (const auto& e : v) write(e, false, false);
  } else if constexpr (is_struct_v<T>) {
    write_struct(v);
  } else {
    static_assert(sizeof(T) == 0, "unsupported field type");
  }
}

// ---------------------------------------------------------------------------------------
class Decoder {
 public:
  Decoder(ByteReader& in, int16_t version, bool flexible, int64_t only_tag = -1)
      : in_(in), version_(version), flexible_(flexible), only_tag_(only_tag) {}

  template <class T>
  void field(const char* name, T& value, const FieldSpec& s) {
    if (!in_range(s, version_) || !in_.ok()) return;
    if (only_tag_ < 0) {
      if (s.tag >= 0) return;
      in_.set_field(name);
      read(value, version_ >= s.nullable_since, false);
    } else if (s.tag == only_tag_) {
      in_.set_field(name);
      read(value, version_ >= s.nullable_since, true);
      matched_ = true;
    }
  }

  template <class S>
  void read_struct(S& s);

  template <class T>
  void read(T& v, bool nullable, bool tagged);

  bool matched() const { return matched_; }

 private:
  void assign(std::string& out, int32_t n) {
    auto bytes = in_.read_span(static_cast<std::size_t>(n));
    out.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }

  ByteReader& in_;
  int16_t version_;
  bool flexible_;
  int64_t only_tag_;
  bool matched_ = false;
};

template <class S>
void Decoder::read_struct(S& s) {
  Decoder body(in_, version_, flexible_);
  s.fields(body);
  if (!flexible_ || !in_.ok()) return;
  in_.set_field("tagged fields");
  uint32_t count = in_.read_uvarint();
  if (count > in_.remaining() / 2) {  // each tag needs at least a tag and a size byte
    in_.fail(DecodeErrc::length_too_large, "tagged field count " + std::to_string(count));
    return;
  }
  for (uint32_t i = 0; i < count && in_.ok(); ++i) {
    uint32_t tag = in_.read_uvarint();
    uint32_t size = in_.read_uvarint();
    if (!in_.ok()) return;
    if (size > in_.remaining()) {
      in_.fail(DecodeErrc::length_too_large,
               "tagged field " + std::to_string(tag) + " size " + std::to_string(size));
      return;
    }
    auto bytes = in_.read_span(size);
    ByteReader sub(bytes);
    Decoder tagged(sub, version_, flexible_, tag);
    s.fields(tagged);
    if (!sub.ok()) {
      in_.absorb_failure(sub);
      return;
    }
    if (!tagged.matched()) s.unknown_tags.push_back({tag, Bytes(bytes.begin(), bytes.end())});
  }
}

template <class T>
void Decoder::read(T& v, bool nullable, bool tagged) {
  if constexpr (std::is_same_v<T, int8_t>) {
    v = in_.read_i8();
  } else if constexpr (std::is_same_v<T, int16_t>) {
    v = in_.read_i16();
  } else if constexpr (std::is_same_v<T, int32_t>) {
    v = in_.read_i32();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    v = in_.read_i64();
  } else if constexpr (std::is_same_v<T, uint16_t>) {
    v = in_.read_u16();
  } else if constexpr (std::is_same_v<T, uint32_t>) {
    v = in_.read_u32();
  } else if constexpr (std::is_same_v<T, bool>) {
    v = in_.read_bool();
  } else if constexpr (std::is_same_v<T, double>) {
    v = in_.read_f64();
  } else if constexpr (std::is_same_v<T, Uuid>) {
    v = in_.read_uuid();
  } else if constexpr (std::is_same_v<T, std::string>) {
    int32_t n = in_.read_string_length(flexible_);
    if (n < 0) {
      if (in_.ok()) in_.fail(DecodeErrc::negative_length, "null for a non-nullable string");
      return;
    }
    assign(v, n);
  } else if constexpr (std::is_same_v<T, Bytes>) {
    int32_t n = in_.read_bytes_length(flexible_);
    if (n < 0) {
      if (in_.ok()) in_.fail(DecodeErrc::negative_length, "null for non-nullable bytes");
      return;
    }
    auto bytes = in_.read_span(static_cast<std::size_t>(n));
    v.assign(bytes.begin(), bytes.end());
  } else if constexpr (std::is_same_v<T, Records>) {
    int32_t n = in_.read_bytes_length(flexible_);
    if (n < 0) {
      v = Records();
      return;
    }
    v = Records::view(in_.read_span(static_cast<std::size_t>(n)));
  } else if constexpr (is_optional<T>::value) {
    using Inner = typename T::value_type;
    if constexpr (is_struct_v<Inner> || std::is_arithmetic_v<Inner> ||
                  std::is_same_v<Inner, Uuid>) {
      if (!tagged) {
        int8_t marker = in_.read_i8();
        if (marker < 0) {
          v.reset();
          return;
        }
      }
      read(v.emplace(), false, false);
    } else {
      // Peek the length to tell null from a value; the reader is re-read by the inner read.
      ByteReader probe = in_;
      int32_t n = std::is_same_v<Inner, std::string> ? probe.read_string_length(flexible_)
                  : std::is_same_v<Inner, Bytes>     ? probe.read_bytes_length(flexible_)
                                                     : probe.read_array_length(flexible_, 1);
      if (!probe.ok()) {
        in_.absorb_failure(probe);
        return;
      }
      if (n < 0) {
        if (!nullable) {
          in_.fail(DecodeErrc::negative_length, "null where the version does not allow it");
          return;
        }
        in_ = probe;
        v.reset();
        return;
      }
      read(v.emplace(), false, false);
    }
  } else if constexpr (is_vector<T>::value) {
    using Elem = typename T::value_type;
    int32_t n = in_.read_array_length(flexible_, min_element_size<Elem>(version_, flexible_));
    v.clear();
    if (n < 0) {
      if (in_.ok()) in_.fail(DecodeErrc::negative_length, "null for a non-nullable array");
      return;
    }
    v.reserve(static_cast<std::size_t>(n));  // bounded by the bytes left (read_array_length)
    for (int32_t i = 0; i < n && in_.ok(); ++i) read(v.emplace_back(), false, false);
  } else if constexpr (is_struct_v<T>) {
    read_struct(v);
  } else {
    static_assert(sizeof(T) == 0, "unsupported field type");
  }
}

// ---------------------------------------------------------------------------------------
template <class M>
void encode_message(const M& m, ByteWriter& out, int16_t version, const ApiDescriptor& api) {
  Encoder e(out, version, api.is_flexible(version));
  e.write_struct(m);
}

template <class M>
Status decode_message(M& m, ByteReader& in, int16_t version, const ApiDescriptor& api) {
  if (!api.supports(version)) {
    return Error(make_error_code(DecodeErrc::unsupported_version),
                 std::string(api.name) + " v" + std::to_string(version));
  }
  m = M{};
  Decoder d(in, version, api.is_flexible(version));
  d.read_struct(m);
  if (!in.ok()) return in.error();
  return {};
}

}  // namespace sluice::protocol::codec

// Defines the codec entry points declared with SLUICE_DECLARE_CODEC (in the message's .cpp).
#define SLUICE_DEFINE_CODEC(Type, api)                                                          \
  void encode(const Type& message, ::sluice::protocol::ByteWriter& out, int16_t version) {      \
    ::sluice::protocol::codec::encode_message(message, out, version, api);                      \
  }                                                                                             \
  ::sluice::Status decode(Type& message, ::sluice::protocol::ByteReader& in, int16_t version) { \
    return ::sluice::protocol::codec::decode_message(message, in, version, api);                \
  }
