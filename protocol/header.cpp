// Request and response header codec.
#include "protocol/header.h"

namespace sluice::protocol {

namespace {

void skip_tag_section(ByteReader& in, std::vector<RawTaggedField>* keep) {
  in.set_field("header tagged fields");
  uint32_t count = in.read_uvarint();
  if (count > in.remaining() / 2) {
    in.fail(DecodeErrc::length_too_large, "tagged field count " + std::to_string(count));
    return;
  }
  for (uint32_t i = 0; i < count && in.ok(); ++i) {
    uint32_t tag = in.read_uvarint();
    uint32_t size = in.read_uvarint();
    if (in.ok() && size > in.remaining()) {
      in.fail(DecodeErrc::length_too_large, "tagged field size " + std::to_string(size));
      return;
    }
    auto bytes = in.read_span(size);
    if (keep && in.ok()) keep->push_back({tag, Bytes(bytes.begin(), bytes.end())});
  }
}

}  // namespace

int16_t request_header_version(int16_t api_key, int16_t api_version) {
  const ApiDescriptor* api = find_api(api_key);
  if (api == nullptr || !api->supports(api_version)) return 1;
  return api->is_flexible(api_version) ? 2 : 1;
}

int16_t response_header_version(int16_t api_key, int16_t api_version) {
  if (api_key == static_cast<int16_t>(ApiKey::api_versions)) return 0;
  const ApiDescriptor* api = find_api(api_key);
  if (api == nullptr || !api->supports(api_version)) return 0;
  return api->is_flexible(api_version) ? 1 : 0;
}

Result<RequestHeader> decode_request_header(ByteReader& in) {
  RequestHeader h;
  in.set_field("request_api_key");
  h.api_key = in.read_i16();
  in.set_field("request_api_version");
  h.api_version = in.read_i16();
  in.set_field("correlation_id");
  h.correlation_id = in.read_i32();
  in.set_field("client_id");
  int32_t n = in.read_string_length(false);
  if (n >= 0) {
    auto bytes = in.read_span(static_cast<std::size_t>(n));
    h.client_id.emplace(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  h.header_version = request_header_version(h.api_key, h.api_version);
  if (h.header_version >= 2) skip_tag_section(in, &h.unknown_tags);
  if (!in.ok()) return in.error();
  return h;
}

void encode_request_header(const RequestHeader& h, ByteWriter& out) {
  out.write_i16(h.api_key);
  out.write_i16(h.api_version);
  out.write_i32(h.correlation_id);
  if (h.client_id) {
    out.write_string_length(static_cast<int32_t>(h.client_id->size()), false);
    out.write_raw(*h.client_id);
  } else {
    out.write_string_length(-1, false);
  }
  if (request_header_version(h.api_key, h.api_version) >= 2) {
    out.write_uvarint(static_cast<uint32_t>(h.unknown_tags.size()));
    for (const auto& t : h.unknown_tags) {
      out.write_uvarint(t.tag);
      out.write_uvarint(static_cast<uint32_t>(t.data.size()));
      out.write_raw(t.data);
    }
  }
}

void encode_response_header(int32_t correlation_id, int16_t api_key, int16_t api_version,
                            ByteWriter& out) {
  out.write_i32(correlation_id);
  if (response_header_version(api_key, api_version) >= 1) out.write_uvarint(0);
}

Result<int32_t> decode_response_header(ByteReader& in, int16_t api_key, int16_t api_version) {
  in.set_field("correlation_id");
  int32_t correlation_id = in.read_i32();
  if (response_header_version(api_key, api_version) >= 1) skip_tag_section(in, nullptr);
  if (!in.ok()) return in.error();
  return correlation_id;
}

}  // namespace sluice::protocol
