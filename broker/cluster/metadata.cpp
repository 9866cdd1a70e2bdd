// Snapshot lookups.
#include "broker/cluster/metadata.h"

namespace sluice::broker::cluster {

const TopicInfo* Snapshot::topic(const std::string& name) const {
  auto it = topics.find(name);
  return it == topics.end() ? nullptr : &it->second;
}

const PartitionInfo* Snapshot::partition(const std::string& t, int32_t p) const {
  const TopicInfo* info = topic(t);
  if (info == nullptr) return nullptr;
  auto it = info->partitions.find(p);
  return it == info->partitions.end() ? nullptr : &it->second;
}

}  // namespace sluice::broker::cluster
