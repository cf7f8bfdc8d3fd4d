// ZipArchive: libzip behind the guards an uploaded .xlsx needs. Every entry opened is checked
// against ReadLimits before inflating (declared size, compression ratio) and while inflating
// (bytes actually produced, per entry and for the whole archive), since declared sizes can lie.
//
// Private to sheet/. One thread at a time; a ZipEntry must not outlive its archive. From memory,
// the bytes must outlive the archive.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.hpp"
#include "sheet/reader.hpp"

struct zip;
struct zip_file;

namespace steward::sheet::internal {

class ZipArchive;

class ZipEntry {
 public:
  ~ZipEntry();
  ZipEntry(const ZipEntry&) = delete;
  ZipEntry& operator=(const ZipEntry&) = delete;

  // Up to `size` inflated bytes; 0 at the end. Damaged() or ZipBomb() on failure.
  Result<size_t> Read(char* buffer, size_t size);
  int64_t size() const { return size_; }
  int64_t consumed() const { return consumed_; }

 private:
  friend class ZipArchive;
  ZipEntry(ZipArchive* archive, zip_file* file, int64_t size)
      : archive_(archive), file_(file), size_(size) {}

  ZipArchive* archive_;
  zip_file* file_;
  int64_t size_;
  int64_t consumed_ = 0;
};

class ZipArchive {
 public:
  static Result<std::unique_ptr<ZipArchive>> OpenFile(const std::filesystem::path& path,
                                                      const ReadLimits& limits);
  static Result<std::unique_ptr<ZipArchive>> OpenMemory(std::string_view data,
                                                        const ReadLimits& limits);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  // The entry named `name` (case-insensitive, '\\' read as '/'), if any. An exact match is a hash
  // look-up; the first other look-up builds an index of all names, so many look-ups stay linear.
  std::optional<uint64_t> Find(std::string_view name) const;
  // The inflated size the directory declares for entry `index` (0 when unknown); no limits checked.
  int64_t DeclaredSize(uint64_t index) const;
  Result<std::unique_ptr<ZipEntry>> Open(uint64_t index);

 private:
  friend class ZipEntry;
  ZipArchive(zip* archive, const ReadLimits& limits) : archive_(archive), limits_(limits) {}

  zip* archive_;
  ReadLimits limits_;
  mutable std::optional<std::unordered_map<std::string, uint64_t>> by_normalised_name_;
  int64_t inflated_ = 0;  // bytes produced by all entries so far
};

}  // namespace steward::sheet::internal
