// Codec instantiation for DeleteRecords.
#include "protocol/messages/delete_records.h"

#include "protocol/codec.h"

namespace sluice::protocol {

SLUICE_DEFINE_CODEC(DeleteRecordsRequest, kDeleteRecordsApi)
SLUICE_DEFINE_CODEC(DeleteRecordsResponse, kDeleteRecordsApi)

}  // namespace sluice::protocol
