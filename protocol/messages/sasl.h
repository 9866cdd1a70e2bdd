// SaslHandshake (key 17) and SaslAuthenticate (key 36): choosing a SASL mechanism and
// exchanging its tokens. SaslAuthenticate v1 adds the session lifetime, v2 is flexible.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct SaslHandshakeRequest : MessageStruct {
  std::string mechanism;

  template <class F>
  void fields(F& f) {
    f.field("mechanism", mechanism, {});
  }
};

struct SaslHandshakeResponse : MessageStruct {
  int16_t error_code = 0;
  std::vector<std::string> mechanisms;

  template <class F>
  void fields(F& f) {
    f.field("error_code", error_code, {});
    f.field("mechanisms", mechanisms, {});
  }
};

struct SaslAuthenticateRequest : MessageStruct {
  Bytes auth_bytes;

  template <class F>
  void fields(F& f) {
    f.field("auth_bytes", auth_bytes, {});
  }
};

struct SaslAuthenticateResponse : MessageStruct {
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  Bytes auth_bytes;
  int64_t session_lifetime_ms = 0;

  template <class F>
  void fields(F& f) {
    f.field("error_code", error_code, {});
    f.field("error_message", error_message, {.nullable_since = 0});
    f.field("auth_bytes", auth_bytes, {});
    f.field("session_lifetime_ms", session_lifetime_ms, {.since = 1});
  }
};

SLUICE_DECLARE_CODEC(SaslHandshakeRequest);
SLUICE_DECLARE_CODEC(SaslHandshakeResponse);
SLUICE_DECLARE_CODEC(SaslAuthenticateRequest);
SLUICE_DECLARE_CODEC(SaslAuthenticateResponse);

}  // namespace sluice::protocol
