// The RECORDS field representation.
#include "protocol/message.h"

#include <algorithm>

namespace sluice::protocol {

Records Records::view(std::span<const uint8_t> bytes) {
  Records r;
  r.kind_ = Kind::view;
  r.view_ = bytes;
  return r;
}

Records Records::owned(Bytes bytes) {
  Records r;
  r.kind_ = Kind::view;
  r.owner_ = std::make_shared<const Bytes>(std::move(bytes));
  r.view_ = std::span<const uint8_t>(*r.owner_);
  return r;
}

Records Records::file(FileRegion region) {
  Records r;
  r.kind_ = Kind::file;
  r.region_ = std::move(region);
  return r;
}

int64_t Records::size() const {
  switch (kind_) {
    case Kind::null:
      return 0;
    case Kind::view:
      return static_cast<int64_t>(view_.size());
    case Kind::file:
      return region_.length;
  }
  return 0;
}

bool operator==(const Records& a, const Records& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case Records::Kind::null:
      return true;
    case Records::Kind::view:
      return std::ranges::equal(a.view_, b.view_);
    case Records::Kind::file:
      return a.region_.fd == b.region_.fd && a.region_.position == b.region_.position &&
             a.region_.length == b.region_.length;
  }
  return false;
}

}  // namespace sluice::protocol
