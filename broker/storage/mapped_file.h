// A file mapped read-write into memory (MAP_SHARED), the backing of the offset and time
// indexes. Internal to broker/storage.
//
// Not thread-safe: the owning index is guarded by its log's locks. resize() remaps, so no
// pointer into data() may be held across it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "broker/storage/file_util.h"
#include "common/result.h"

namespace sluice::broker::storage {

class MappedFile {
 public:
  // Opens `path` (creating it when `create`) and maps it whole. When `resize_to` is >= 0 the
  // file is first truncated or extended (sparse) to that many bytes.
  static Result<std::unique_ptr<MappedFile>> open(const std::filesystem::path& path, bool create,
                                                  int64_t resize_to);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  // Bytes of the file, all of them mapped.
  int64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

  // Truncates or extends the file to `new_size` and maps it again.
  Status resize(int64_t new_size);
  // Writes the mapped pages and the file size to disk.
  Status sync(const IoHooks* hooks = nullptr);
  Status rename(const std::filesystem::path& new_path);

 private:
  MappedFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status map();
  void unmap();

  std::filesystem::path path_;
  int fd_;
  uint8_t* data_ = nullptr;
  int64_t size_ = 0;
};

// Big-endian integers, the byte order of Kafka's index files.
inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint64_t load_be64(const uint8_t* p) {
  return (uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}
inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline void store_be64(uint8_t* p, uint64_t v) {
  store_be32(p, static_cast<uint32_t>(v >> 32));
  store_be32(p + 4, static_cast<uint32_t>(v));
}

}  // namespace sluice::broker::storage
