// ByteSource: the bytes of a CSV file, from a file descriptor or from memory, read front to back.
//
// Private to sheet/. One thread at a time. A FileSource owns its descriptor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/result.hpp"

namespace steward::sheet::internal {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to `size` bytes into `buffer`; 0 at the end.
  virtual Result<size_t> Read(char* buffer, size_t size) = 0;
  int64_t size() const { return size_; }
  int64_t consumed() const { return consumed_; }

 protected:
  explicit ByteSource(int64_t size) : size_(size) {}
  int64_t size_;
  int64_t consumed_ = 0;
};

std::unique_ptr<ByteSource> MemorySource(std::string_view data);
// Takes ownership of `fd`, positioned at the start of the file.
std::unique_ptr<ByteSource> FileSource(int fd, int64_t size);

}  // namespace steward::sheet::internal
