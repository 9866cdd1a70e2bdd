// SaslHandshake and SaslAuthenticate: byte-exact request and response vectors in a classic and
// (where the API has one) a flexible version, worked out by hand from Kafka's message schemas; the
// same vectors decoded and re-encoded; every truncation refused; populated messages round-tripped
// at every version. Vector notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/sasl.h"

#include <optional>
#include <string>
#include <vector>

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decode_status;
using testing::decoded;
using testing::encoded;
using testing::expect_every_truncation_fails;
using testing::expect_round_trip_all_versions;
using testing::expect_wire;
using testing::hex;
using testing::to_hex;

// SaslHandshake (17): v0-1, never flexible.

const Bytes kSaslHandshakeRequestV1 = hex("00 05 50 4c 41 49 4e");  // mechanism "PLAIN"

SaslHandshakeResponse sasl_handshake_response() {
  SaslHandshakeResponse resp;
  resp.error_code = 33;  // UNSUPPORTED_SASL_MECHANISM
  resp.mechanisms = {"PLAIN", "SCRAM-SHA-256"};
  return resp;
}

const Bytes kSaslHandshakeResponseV1 =
    hex("00 21 "                                          // error_code 33
        "00 00 00 02 "                                    // mechanisms: 2
        "00 05 50 4c 41 49 4e "                           //   "PLAIN"
        "00 0d 53 43 52 41 4d 2d 53 48 41 2d 32 35 36");  // "SCRAM-SHA-256"

TEST(SaslHandshakeCodec, RequestIsAClassicMechanismStringInBothVersions) {
  SaslHandshakeRequest req;
  req.mechanism = "PLAIN";
  expect_wire(req, 0, kSaslHandshakeRequestV1);
  expect_wire(req, 1, kSaslHandshakeRequestV1);  // no tag section: never flexible
  EXPECT_EQ(decoded<SaslHandshakeRequest>(kSaslHandshakeRequestV1, 1).mechanism, "PLAIN");
}

TEST(SaslHandshakeCodec, ResponseListsEnabledMechanisms) {
  expect_wire(sasl_handshake_response(), 1, kSaslHandshakeResponseV1);
  expect_wire(sasl_handshake_response(), 0, kSaslHandshakeResponseV1);
  auto back = decoded<SaslHandshakeResponse>(kSaslHandshakeResponseV1, 1);
  EXPECT_EQ(back.error_code, 33);
  EXPECT_EQ(back.mechanisms, (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256"}));
}

TEST(SaslHandshakeCodec, VersionTwoIsUnsupported) {
  auto status = decode_status<SaslHandshakeRequest>(kSaslHandshakeRequestV1, 2);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), DecodeErrc::unsupported_version);
}

TEST(SaslHandshakeCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<SaslHandshakeRequest>(kSaslHandshakeRequestV1, 1);
  expect_every_truncation_fails<SaslHandshakeResponse>(kSaslHandshakeResponseV1, 1);
}

TEST(SaslHandshakeCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  SaslHandshakeRequest req;
  req.mechanism = "SCRAM-SHA-512";
  expect_round_trip_all_versions(req, kSaslHandshakeApi);
  expect_round_trip_all_versions(sasl_handshake_response(), kSaslHandshakeApi);
}

// SaslAuthenticate (36): v0-2, flexible from v2; v1 adds the session lifetime.

SaslAuthenticateRequest sasl_authenticate_request() {
  SaslAuthenticateRequest req;
  req.auth_bytes = {0x00, 'u', 0x00, 'p'};  // PLAIN: authzid NUL user NUL password
  return req;
}

const Bytes kSaslAuthenticateRequestV0 = hex("00 00 00 04 | 00 75 00 70");  // int32 length
const Bytes kSaslAuthenticateRequestV2 = hex("05 | 00 75 00 70 | 00");      // uvarint 4+1, tags

SaslAuthenticateResponse sasl_authenticate_response() {
  SaslAuthenticateResponse resp;
  resp.error_code = 0;
  resp.error_message = std::nullopt;
  resp.auth_bytes = {0x01, 0x02};
  resp.session_lifetime_ms = 3600000;
  return resp;
}

const Bytes kSaslAuthenticateResponseV1 =
    hex("00 00 "                     // error_code 0
        "ff ff "                     // error_message null
        "00 00 00 02 | 01 02 "       // auth_bytes
        "00 00 00 00 00 36 ee 80");  // session_lifetime_ms 3600000 (v1+)

const Bytes kSaslAuthenticateResponseV2 =
    hex("00 00 "                    // error_code 0
        "00 "                       // error_message null
        "03 | 01 02 "               // auth_bytes
        "00 00 00 00 00 36 ee 80 "  // session_lifetime_ms 3600000
        "00");                      // tags

TEST(SaslAuthenticateCodec, RequestV0CarriesClassicBytes) {
  expect_wire(sasl_authenticate_request(), 0, kSaslAuthenticateRequestV0);
  expect_wire(sasl_authenticate_request(), 1, kSaslAuthenticateRequestV0);  // v1 == v0
  EXPECT_EQ(decoded<SaslAuthenticateRequest>(kSaslAuthenticateRequestV0, 0).auth_bytes,
            (Bytes{0x00, 'u', 0x00, 'p'}));
}

TEST(SaslAuthenticateCodec, RequestV2CarriesCompactBytes) {
  expect_wire(sasl_authenticate_request(), 2, kSaslAuthenticateRequestV2);
}

TEST(SaslAuthenticateCodec, ResponseV1AddsSessionLifetime) {
  expect_wire(sasl_authenticate_response(), 1, kSaslAuthenticateResponseV1);
  expect_wire(sasl_authenticate_response(), 0,
              Bytes(kSaslAuthenticateResponseV1.begin(), kSaslAuthenticateResponseV1.end() - 8));
  EXPECT_EQ(decoded<SaslAuthenticateResponse>(kSaslAuthenticateResponseV1, 1).session_lifetime_ms,
            3600000);
}

TEST(SaslAuthenticateCodec, ResponseV2IsCompact) {
  expect_wire(sasl_authenticate_response(), 2, kSaslAuthenticateResponseV2);
  SaslAuthenticateResponse failed;
  failed.error_code = 58;  // SASL_AUTHENTICATION_FAILED
  failed.error_message = "bad";
  expect_wire(failed, 2, hex("00 3a | 04 62 61 64 | 01 | 00 00 00 00 00 00 00 00 | 00"));
}

TEST(SaslAuthenticateCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<SaslAuthenticateRequest>(kSaslAuthenticateRequestV0, 0);
  expect_every_truncation_fails<SaslAuthenticateRequest>(kSaslAuthenticateRequestV2, 2);
  expect_every_truncation_fails<SaslAuthenticateResponse>(kSaslAuthenticateResponseV1, 1);
  expect_every_truncation_fails<SaslAuthenticateResponse>(kSaslAuthenticateResponseV2, 2);
}

TEST(SaslAuthenticateCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  expect_round_trip_all_versions(sasl_authenticate_request(), kSaslAuthenticateApi);
  auto resp = sasl_authenticate_response();
  resp.error_code = 58;
  resp.error_message = "Authentication failed";
  expect_round_trip_all_versions(resp, kSaslAuthenticateApi);
}

TEST(Sasl, EncodesHandshakeAndAuthenticate) {
  SaslHandshakeRequest hs;
  hs.mechanism = "PLAIN";
  EXPECT_EQ(to_hex(encoded(hs, 1)), to_hex(hex("00 05 50 4c 41 49 4e")));
  SaslHandshakeResponse hr;
  hr.mechanisms = {"PLAIN"};
  EXPECT_EQ(to_hex(encoded(hr, 0)), to_hex(hex("00 00 | 00 00 00 01 | 00 05 50 4c 41 49 4e")));
  SaslAuthenticateRequest auth;
  auth.auth_bytes = {'a', 'b', 'c'};
  EXPECT_EQ(to_hex(encoded(auth, 0)), to_hex(hex("00 00 00 03 61 62 63")));
  EXPECT_EQ(to_hex(encoded(auth, 2)), to_hex(hex("04 61 62 63 | 00")));
  SaslAuthenticateResponse ar;
  ar.session_lifetime_ms = 1;
  EXPECT_EQ(to_hex(encoded(ar, 1)),
            to_hex(hex("00 00 | ff ff | 00 00 00 00 | 00 00 00 00 00 00 00 01")));
}

TEST(Sasl, RoundTripEveryVersion) {
  SaslAuthenticateResponse s;
  s.error_message = "bad";
  s.auth_bytes = {1};
  testing::expect_round_trip_all_versions(s, kSaslAuthenticateApi);
}

}  // namespace
}  // namespace sluice::protocol
