// InitProducerId (key 22): a producer id and epoch for idempotent (and transactional)
// producers. v2 is flexible, v3 adds the current producer id/epoch for epoch bumps.
#pragma once

#include "protocol/message.h"

namespace sluice::protocol {

struct InitProducerIdRequest : MessageStruct {
  std::optional<std::string> transactional_id;
  int32_t transaction_timeout_ms = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;

  template <class F>
  void fields(F& f) {
    f.field("transactional_id", transactional_id, {.nullable_since = 0});
    f.field("transaction_timeout_ms", transaction_timeout_ms, {});
    f.field("producer_id", producer_id, {.since = 3});
    f.field("producer_epoch", producer_epoch, {.since = 3});
  }
};

struct InitProducerIdResponse : MessageStruct {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = 0;

  template <class F>
  void fields(F& f) {
    f.field("throttle_time_ms", throttle_time_ms, {});
    f.field("error_code", error_code, {});
    f.field("producer_id", producer_id, {});
    f.field("producer_epoch", producer_epoch, {});
  }
};

SLUICE_DECLARE_CODEC(InitProducerIdRequest);
SLUICE_DECLARE_CODEC(InitProducerIdResponse);

}  // namespace sluice::protocol
