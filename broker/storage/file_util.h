// File helpers of the storage layer: an owned file descriptor that a FileRegion can keep
// alive, exact pread/pwrite with injectable faults, fsync of directories, and atomic
// replacement of small files (write temp, fsync, rename, fsync directory).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sluice::broker::storage {

// Test-only fault injection. Every write and fsync of segment data goes through these when
// set, so a test can make an append fail the way a full disk or a dying device does
// (return -1 with errno = ENOSPC/EIO, or write fewer bytes than asked). Production code
// leaves them empty and the real system calls are used.
struct IoHooks {
  std::function<ssize_t(int fd, const void* buf, std::size_t count, off_t offset)> pwrite;
  std::function<int(int fd)> fsync;
};

// An open file descriptor, closed when the last owner lets go. A FileRegion's keepalive
// holds a shared_ptr<FileHandle>, so a file can be renamed, deleted or replaced while a
// sendfile(2) from it is still in flight.
class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle();
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// "<what> <path>: <strerror(err)>" as a storage_error.
Error io_error(std::string_view what, const std::filesystem::path& path, int err);

// Opens `path` read-write (O_CLOEXEC); `create` adds O_CREAT.
Result<std::shared_ptr<FileHandle>> open_file(const std::filesystem::path& path, bool create);

// Writes all of `data` at `offset`, retrying short writes and EINTR. A failure names `path`.
Status pwrite_all(int fd, std::span<const uint8_t> data, int64_t offset,
                  const std::filesystem::path& path, const IoHooks* hooks = nullptr);

// Reads up to data.size() bytes at `offset`; returns how many were read (short at EOF).
Result<std::size_t> pread_full(int fd, std::span<uint8_t> data, int64_t offset,
                               const std::filesystem::path& path);

Status fsync_fd(int fd, const std::filesystem::path& path, const IoHooks* hooks = nullptr);
Status fsync_dir(const std::filesystem::path& dir);
Status truncate_fd(int fd, int64_t size, const std::filesystem::path& path);
Result<int64_t> file_size(int fd, const std::filesystem::path& path);

// rename(2) that reports a storage_error naming both paths.
Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to);
// unlink(2); a missing file is not an error.
Status remove_file(const std::filesystem::path& path);

// Replaces `path` with `content` atomically: writes "<path>.tmp", fsyncs it, renames it over
// `path` and fsyncs the directory. A crash leaves either the old or the new file (and maybe
// a stale .tmp, which readers ignore).
Status write_file_atomically(const std::filesystem::path& path, std::string_view content);

// The whole file as a string. A missing file is a storage_error (callers that accept a
// missing file check std::filesystem::exists first).
Result<std::string> read_small_file(const std::filesystem::path& path);

// A random 32-hex-digit id (a UUID without dashes, as Kafka names deleted partition dirs).
std::string random_hex_id();

}  // namespace sluice::broker::storage
