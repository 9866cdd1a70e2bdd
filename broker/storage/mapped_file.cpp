// MappedFile: mmap-backed index files (see mapped_file.h).
#include "broker/storage/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::broker::storage {

Result<std::unique_ptr<MappedFile>> MappedFile::open(const std::filesystem::path& path, bool create,
                                                     int64_t resize_to) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
  if (fd < 0) return io_error("open", path, errno);
  std::unique_ptr<MappedFile> file(new MappedFile(path, fd));
  if (resize_to >= 0) {
    SLUICE_CHECK(truncate_fd(fd, resize_to, path));
  }
  SLUICE_CHECK(file->map());
  return file;
}

MappedFile::~MappedFile() {
  unmap();
  if (fd_ >= 0) ::close(fd_);
}

Status MappedFile::map() {
  SLUICE_TRY(int64_t size, file_size(fd_, path_));
  size_ = size;
  if (size_ == 0) return ok_status();
  void* p =
      ::mmap(nullptr, static_cast<std::size_t>(size_), PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED) {
    size_ = 0;
    return io_error("mmap", path_, errno);
  }
  data_ = static_cast<uint8_t*>(p);
  return ok_status();
}

void MappedFile::unmap() {
  if (data_) ::munmap(data_, static_cast<std::size_t>(size_));
  data_ = nullptr;
  size_ = 0;
}

Status MappedFile::resize(int64_t new_size) {
  if (new_size == size_) return ok_status();
  unmap();
  auto truncated = truncate_fd(fd_, new_size, path_);
  auto mapped = map();  // the old size when the truncation failed
  if (!truncated.ok()) return truncated;
  return mapped;
}

Status MappedFile::sync(const IoHooks* hooks) {
  if (data_ && ::msync(data_, static_cast<std::size_t>(size_), MS_SYNC) != 0) {
    return io_error("msync", path_, errno);
  }
  return fsync_fd(fd_, path_, hooks);
}

Status MappedFile::rename(const std::filesystem::path& new_path) {
  SLUICE_CHECK(rename_file(path_, new_path));
  path_ = new_path;
  return ok_status();
}

}  // namespace sluice::broker::storage
