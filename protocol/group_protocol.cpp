// The consumer embedded protocol through the same field-list codec as the APIs: a schema
// descriptor of its own (classic encoding, versions 0-3).
#include "protocol/group_protocol.h"

#include "protocol/codec.h"

namespace sluice::protocol {
namespace {

constexpr ApiDescriptor kConsumerProtocolSchema{static_cast<ApiKey>(-1), "ConsumerProtocol", 0,
                                                kConsumerProtocolMaxVersion, kNoFlexibleVersion};

struct WireTopicPartition : MessageStruct {
  std::string topic;
  std::vector<int32_t> partitions;
  template <class F>
  void fields(F& f) {
    f.field("topic", topic, {});
    f.field("partitions", partitions, {});
  }
};

struct WireSubscription : MessageStruct {
  std::vector<std::string> topics;
  std::optional<Bytes> user_data;
  std::vector<WireTopicPartition> owned_partitions;
  int32_t generation_id = -1;
  std::optional<std::string> rack_id;
  template <class F>
  void fields(F& f) {
    f.field("topics", topics, {});
    f.field("user_data", user_data, {.nullable_since = 0});
    f.field("owned_partitions", owned_partitions, {.since = 1});
    f.field("generation_id", generation_id, {.since = 2});
    f.field("rack_id", rack_id, {.since = 3, .nullable_since = 3});
  }
};

struct WireAssignment : MessageStruct {
  std::vector<WireTopicPartition> assigned_partitions;
  std::optional<Bytes> user_data;
  template <class F>
  void fields(F& f) {
    f.field("assigned_partitions", assigned_partitions, {});
    f.field("user_data", user_data, {.nullable_since = 0});
  }
};

std::vector<WireTopicPartition> to_wire(const std::vector<TopicPartitions>& v) {
  std::vector<WireTopicPartition> out;
  for (const auto& tp : v) out.push_back({{}, tp.topic, tp.partitions});
  return out;
}

std::vector<TopicPartitions> from_wire(const std::vector<WireTopicPartition>& v) {
  std::vector<TopicPartitions> out;
  for (const auto& tp : v) out.push_back({tp.topic, tp.partitions});
  return out;
}

// Reads the version; a newer one is parsed with our newest layout (its extra fields follow).
Result<int16_t> read_version(ByteReader& r) {
  r.set_field("version");
  int16_t v = r.read_i16();
  if (!r.ok()) return r.error();
  if (v < 0)
    return Error(make_error_code(DecodeErrc::unsupported_version),
                 "consumer protocol v" + std::to_string(v));
  return std::min(v, kConsumerProtocolMaxVersion);
}

}  // namespace

Bytes encode_subscription(const ConsumerSubscription& s, int16_t version) {
  WireSubscription w;
  w.topics = s.topics;
  w.user_data = s.user_data;
  w.owned_partitions = to_wire(s.owned_partitions);
  w.generation_id = s.generation_id;
  w.rack_id = s.rack_id;
  ByteWriter out;
  out.write_i16(version);
  codec::encode_message(w, out, version, kConsumerProtocolSchema);
  return out.bytes();
}

Result<ConsumerSubscription> decode_subscription(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  auto version = read_version(r);
  if (!version) return std::move(version).error();
  WireSubscription w;
  if (Status st = codec::decode_message(w, r, *version, kConsumerProtocolSchema); !st)
    return std::move(st).error();
  return ConsumerSubscription{w.topics, w.user_data, from_wire(w.owned_partitions), w.generation_id,
                              w.rack_id};
}

Bytes encode_assignment(const ConsumerAssignment& a, int16_t version) {
  WireAssignment w;
  w.assigned_partitions = to_wire(a.assigned_partitions);
  w.user_data = a.user_data;
  ByteWriter out;
  out.write_i16(version);
  codec::encode_message(w, out, version, kConsumerProtocolSchema);
  return out.bytes();
}

Result<ConsumerAssignment> decode_assignment(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  auto version = read_version(r);
  if (!version) return std::move(version).error();
  WireAssignment w;
  if (Status st = codec::decode_message(w, r, *version, kConsumerProtocolSchema); !st)
    return std::move(st).error();
  return ConsumerAssignment{from_wire(w.assigned_partitions), w.user_data};
}

}  // namespace sluice::protocol
