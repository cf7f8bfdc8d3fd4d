#include "sheet/internal/byte_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <unistd.h>

#include "sheet/internal/reader_base.hpp"

namespace steward::sheet::internal {
namespace {

class Memory final : public ByteSource {
 public:
  explicit Memory(std::string_view data)
      : ByteSource(static_cast<int64_t>(data.size())), data_(data) {}

  Result<size_t> Read(char* buffer, size_t size) override {
    const size_t count = std::min(size, data_.size() - static_cast<size_t>(consumed_));
    std::memcpy(buffer, data_.data() + consumed_, count);
    consumed_ += static_cast<int64_t>(count);
    return count;
  }

 private:
  std::string_view data_;
};

class File final : public ByteSource {
 public:
  File(int fd, int64_t size) : ByteSource(size), fd_(fd) {}
  ~File() override { ::close(fd_); }

  Result<size_t> Read(char* buffer, size_t size) override {
    while (true) {
      const ssize_t count = ::read(fd_, buffer, size);
      if (count >= 0) {
        consumed_ += count;
        return static_cast<size_t>(count);
      }
      if (errno != EINTR) return tl::unexpected(CannotRead());
    }
  }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<ByteSource> MemorySource(std::string_view data) {
  return std::make_unique<Memory>(data);
}

std::unique_ptr<ByteSource> FileSource(int fd, int64_t size) {
  return std::make_unique<File>(fd, size);
}

}  // namespace steward::sheet::internal
