// InitProducerId: byte-exact request and response vectors in a classic and (where the API has one)
// a flexible version, worked out by hand from Kafka's message schemas; the same vectors decoded and
// re-encoded; every truncation refused; populated messages round-tripped at every version. Vector
// notation: tests/unit/protocol/test_util.h.
#include "protocol/messages/init_producer_id.h"

#include <optional>

#include "tests/unit/protocol/test_util.h"

namespace sluice::protocol {
namespace {

using testing::decoded;
using testing::encoded;
using testing::expect_every_truncation_fails;
using testing::expect_round_trip_all_versions;
using testing::expect_wire;
using testing::hex;
using testing::to_hex;

// InitProducerId (22): v0-4, flexible from v2; v3 adds the current producer id and epoch.

InitProducerIdRequest init_producer_id_request() {
  InitProducerIdRequest req;
  req.transactional_id = "tx";
  req.transaction_timeout_ms = 60000;
  req.producer_id = 42;
  req.producer_epoch = 3;
  return req;
}

const Bytes kInitProducerIdRequestV1 =
    hex("00 02 74 78 "   // transactional_id "tx"
        "00 00 ea 60");  // transaction_timeout_ms 60000

const Bytes kInitProducerIdRequestV3 =
    hex("03 74 78 "                 // transactional_id "tx"
        "00 00 ea 60 "              // transaction_timeout_ms 60000
        "00 00 00 00 00 00 00 2a "  // producer_id 42 (v3+)
        "00 03 "                    // producer_epoch 3 (v3+)
        "00");                      // tags

InitProducerIdResponse init_producer_id_response() {
  InitProducerIdResponse resp;
  resp.throttle_time_ms = 0;
  resp.error_code = 0;
  resp.producer_id = 42;
  resp.producer_epoch = 4;
  return resp;
}

const Bytes kInitProducerIdResponseV1 =
    hex("00 00 00 00 "              // throttle_time_ms 0
        "00 00 "                    // error_code 0
        "00 00 00 00 00 00 00 2a "  // producer_id 42
        "00 04");                   // producer_epoch 4

const Bytes kInitProducerIdResponseV4 =
    hex("00 00 00 00 | 00 00 | 00 00 00 00 00 00 00 2a | 00 04 "
        "00");  // tags

TEST(InitProducerIdCodec, RequestV1HasIdAndTimeoutOnly) {
  expect_wire(init_producer_id_request(), 1, kInitProducerIdRequestV1);
  expect_wire(init_producer_id_request(), 0, kInitProducerIdRequestV1);  // v0 == v1
  auto back = decoded<InitProducerIdRequest>(kInitProducerIdRequestV1, 1);
  EXPECT_EQ(back.producer_id, -1);  // defaults when not on the wire
  EXPECT_EQ(back.producer_epoch, -1);
}

TEST(InitProducerIdCodec, NullTransactionalIdIsMinusOneLengthOrCompactZero) {
  InitProducerIdRequest idempotent;
  idempotent.transaction_timeout_ms = 60000;
  expect_wire(idempotent, 1, hex("ff ff | 00 00 ea 60"));
  expect_wire(idempotent, 2, hex("00 | 00 00 ea 60 | 00"));
  EXPECT_EQ(decoded<InitProducerIdRequest>(hex("ff ff | 00 00 ea 60"), 1).transactional_id,
            std::nullopt);
}

TEST(InitProducerIdCodec, RequestV2IsCompactWithoutProducerIdAndEpoch) {
  expect_wire(init_producer_id_request(), 2, hex("03 74 78 | 00 00 ea 60 | 00"));
}

TEST(InitProducerIdCodec, RequestV3AddsCurrentProducerIdAndEpoch) {
  expect_wire(init_producer_id_request(), 3, kInitProducerIdRequestV3);
  expect_wire(init_producer_id_request(), 4, kInitProducerIdRequestV3);  // v4 == v3
  auto back = decoded<InitProducerIdRequest>(kInitProducerIdRequestV3, 3);
  EXPECT_EQ(back.producer_id, 42);
  EXPECT_EQ(back.producer_epoch, 3);
}

TEST(InitProducerIdCodec, ResponseV1IsClassic) {
  expect_wire(init_producer_id_response(), 1, kInitProducerIdResponseV1);
}

TEST(InitProducerIdCodec, ResponseV4AddsOnlyATagSection) {
  expect_wire(init_producer_id_response(), 4, kInitProducerIdResponseV4);
  InitProducerIdResponse fenced;
  fenced.error_code = 90;  // PRODUCER_FENCED
  fenced.producer_id = -1;
  fenced.producer_epoch = -1;
  expect_wire(fenced, 4, hex("00 00 00 00 | 00 5a | ff ff ff ff ff ff ff ff | ff ff | 00"));
}

TEST(InitProducerIdCodec, EveryTruncationOfTheVectorsFails) {
  expect_every_truncation_fails<InitProducerIdRequest>(kInitProducerIdRequestV1, 1);
  expect_every_truncation_fails<InitProducerIdRequest>(kInitProducerIdRequestV3, 3);
  expect_every_truncation_fails<InitProducerIdResponse>(kInitProducerIdResponseV1, 1);
  expect_every_truncation_fails<InitProducerIdResponse>(kInitProducerIdResponseV4, 4);
}

TEST(InitProducerIdCodec, PopulatedMessagesRoundTripAtEveryVersion) {
  expect_round_trip_all_versions(init_producer_id_request(), kInitProducerIdApi);
  auto resp = init_producer_id_response();
  resp.throttle_time_ms = 20;
  resp.error_code = 47;  // INVALID_PRODUCER_EPOCH
  expect_round_trip_all_versions(resp, kInitProducerIdApi);
}

TEST(InitProducerId, EncodesV1V2V3) {
  InitProducerIdRequest req;
  req.transaction_timeout_ms = 60000;
  EXPECT_EQ(to_hex(encoded(req, 1)), to_hex(hex("ff ff | 00 00 ea 60")));
  EXPECT_EQ(to_hex(encoded(req, 2)), to_hex(hex("00 | 00 00 ea 60 | 00")));
  EXPECT_EQ(to_hex(encoded(req, 3)),
            to_hex(hex("00 | 00 00 ea 60 | ff ff ff ff ff ff ff ff | ff ff | 00")));
  InitProducerIdResponse resp;
  resp.producer_id = 7;
  EXPECT_EQ(to_hex(encoded(resp, 2)),
            to_hex(hex("00 00 00 00 | 00 00 | 00 00 00 00 00 00 00 07 | 00 00 | 00")));
}

TEST(InitProducerId, RoundTripEveryVersion) {
  InitProducerIdRequest i;
  i.transactional_id = "tx";
  testing::expect_round_trip_all_versions(i, kInitProducerIdApi);
}

}  // namespace
}  // namespace sluice::protocol
