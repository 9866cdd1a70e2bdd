// The vocabulary of message definitions. Each Kafka API has one header under
// protocol/messages/ declaring its request and response as plain structs whose
// `fields(F&)` member template lists the fields in wire order, each with the versions it
// exists in, the versions it may be null in and, for tagged fields, its tag:
//
//   struct MetadataRequestTopic : MessageStruct {
//     Uuid topic_id;
//     std::optional<std::string> name;
//     template <class F> void fields(F& f) {
//       f.field("topic_id", topic_id, {.since = 10});
//       f.field("name", name, {.nullable_since = 10});
//     }
//   };
//
// The C++ type decides the wire type (int8_t..int64_t, uint16_t, uint32_t, bool, double,
// Uuid, std::string, Bytes, Records, std::vector<T> arrays, nested structs; std::optional<>
// for nullable strings/bytes/arrays and for tagged fields, which are written only when
// engaged). The version decides classic vs compact encodings. Version differences live in
// these specs, never in `if (version >= N)` in handlers. The generic encoder and decoder
// are in protocol/codec.h and are instantiated only in the messages' .cpp files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/wire.h"

namespace sluice::protocol {

inline constexpr int16_t kNever = INT16_MAX;

struct FieldSpec {
  int16_t since = 0;                // first version with the field
  int16_t until = INT16_MAX;        // last version with the field
  int16_t nullable_since = kNever;  // first version where null is allowed
  int32_t tag = -1;                 // >= 0: a tagged field (flexible versions only)
};

// A tagged field the decoder did not know; kept so re-encoding loses nothing.
struct RawTaggedField {
  uint32_t tag = 0;
  Bytes data;
  friend bool operator==(const RawTaggedField&, const RawTaggedField&) = default;
};

// Base of every message struct (top-level and nested).
struct MessageStruct {
  std::vector<RawTaggedField> unknown_tags;
};

// The RECORDS field: record batches as bytes. Either null, a view of bytes owned elsewhere
// (what the decoder produces: it points into the frame, which must outlive the message),
// bytes owned through a shared buffer, or a file region sent with sendfile.
class Records {
 public:
  Records() = default;  // null
  static Records view(std::span<const uint8_t> bytes);
  static Records owned(Bytes bytes);
  static Records file(FileRegion region);

  bool is_null() const { return kind_ == Kind::null; }
  bool is_file() const { return kind_ == Kind::file; }
  int64_t size() const;
  // REQUIRES: !is_file()
  std::span<const uint8_t> bytes() const { return view_; }
  // REQUIRES: is_file()
  const FileRegion& region() const { return region_; }

  // Compares contents; file regions compare by fd/position/length.
  friend bool operator==(const Records& a, const Records& b);

 private:
  enum class Kind : uint8_t { null, view, file };
  Kind kind_ = Kind::null;
  std::span<const uint8_t> view_;
  std::shared_ptr<const Bytes> owner_;
  FileRegion region_;
};

// Declares the codec entry points of a message struct (in its header).
#define SLUICE_DECLARE_CODEC(Type)                                                        \
  void encode(const Type& message, ::sluice::protocol::ByteWriter& out, int16_t version); \
  ::sluice::Status decode(Type& message, ::sluice::protocol::ByteReader& in, int16_t version)

}  // namespace sluice::protocol
