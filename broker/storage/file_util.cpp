// File helpers of the storage layer (see file_util.h).
#include "broker/storage/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "broker/storage/storage_error.h"

namespace sluice::broker::storage {

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

Error io_error(std::string_view what, const std::filesystem::path& path, int err) {
  std::string context(what);
  context += ' ';
  context += path.string();
  context += ": ";
  context += std::strerror(err);
  return Error(StorageErrc::storage_error, std::move(context));
}

Result<std::shared_ptr<FileHandle>> open_file(const std::filesystem::path& path, bool create) {
  int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return io_error("open", path, errno);
  return std::make_shared<FileHandle>(fd);
}

Status pwrite_all(int fd, std::span<const uint8_t> data, int64_t offset,
                  const std::filesystem::path& path, const IoHooks* hooks) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n;
    if (hooks && hooks->pwrite) {
      n = hooks->pwrite(fd, data.data() + done, data.size() - done,
                        static_cast<off_t>(offset + static_cast<int64_t>(done)));
    } else {
      n = ::pwrite(fd, data.data() + done, data.size() - done,
                   static_cast<off_t>(offset + static_cast<int64_t>(done)));
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("write", path, errno);
    }
    if (n == 0) return io_error("write", path, EIO);
    done += static_cast<std::size_t>(n);
  }
  return ok_status();
}

Result<std::size_t> pread_full(int fd, std::span<uint8_t> data, int64_t offset,
                               const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pread(fd, data.data() + done, data.size() - done,
                        static_cast<off_t>(offset + static_cast<int64_t>(done)));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("read", path, errno);
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

Status fsync_fd(int fd, const std::filesystem::path& path, const IoHooks* hooks) {
  int rc = (hooks && hooks->fsync) ? hooks->fsync(fd) : ::fsync(fd);
  if (rc != 0) return io_error("fsync", path, errno);
  return ok_status();
}

Status fsync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("fsync directory", dir, err);
  return ok_status();
}

Status truncate_fd(int fd, int64_t size, const std::filesystem::path& path) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return io_error("truncate", path, errno);
  return ok_status();
}

Result<int64_t> file_size(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return io_error("stat", path, errno);
  return static_cast<int64_t>(st.st_size);
}

Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return io_error("rename to " + to.string() + " from", from, errno);
  }
  return ok_status();
}

Status remove_file(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("remove", path, errno);
  return ok_status();
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("create", tmp, errno);
  FileHandle handle(fd);
  SLUICE_CHECK(pwrite_all(
      fd, std::span(reinterpret_cast<const uint8_t*>(content.data()), content.size()), 0, tmp));
  SLUICE_CHECK(fsync_fd(fd, tmp));
  SLUICE_CHECK(rename_file(tmp, path));
  return fsync_dir(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
}

Result<std::string> read_small_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("open", path, errno);
  FileHandle handle(fd);
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string random_hex_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (int word = 0; word < 2; ++word) {
    uint64_t v = rng();
    for (int i = 0; i < 16; ++i) {
      out += digits[v & 0xf];
      v >>= 4;
    }
  }
  return out;
}

}  // namespace sluice::broker::storage
