// Helpers shared by the storage tests: a temporary directory removed at the end of the test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "protocol/wire.h"

namespace sluice::broker::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sluice-storage-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// The bytes of a file region, read with pread as sendfile would send them.
inline std::vector<uint8_t> region_bytes(const protocol::FileRegion& region) {
  std::vector<uint8_t> out(static_cast<std::size_t>(region.length));
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(region.fd, out.data() + done, out.size() - done,
                        static_cast<off_t>(region.position + static_cast<int64_t>(done)));
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

// A clock the test moves by hand.
struct FakeClock {
  int64_t now = 1'700'000'000'000;
  std::function<int64_t()> fn() {
    return [this] { return now; };
  }
};

}  // namespace sluice::broker::storage::testing
