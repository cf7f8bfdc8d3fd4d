#include "sheet/internal/zip.hpp"

#include <string>

#include <zip.h>

#include "sheet/internal/reader_base.hpp"

namespace steward::sheet::internal {
namespace {

// Entries smaller than this are too small to matter, whatever their ratio.
constexpr int64_t kRatioCheckBytes = 1 << 20;

std::string Normalise(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '\\') c = '/';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

ZipEntry::~ZipEntry() { zip_fclose(file_); }

Result<size_t> ZipEntry::Read(char* buffer, size_t size) {
  const zip_int64_t count = zip_fread(file_, buffer, size);
  if (count < 0) return tl::unexpected(Damaged());
  consumed_ += count;
  archive_->inflated_ += count;
  if (consumed_ > size_) return tl::unexpected(Damaged());  // more than the directory says
  if (archive_->inflated_ > archive_->limits_.max_uncompressed_bytes) {
    return tl::unexpected(ZipBomb());
  }
  return static_cast<size_t>(count);
}

Result<std::unique_ptr<ZipArchive>> ZipArchive::OpenFile(const std::filesystem::path& path,
                                                         const ReadLimits& limits) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) {
    if (error == ZIP_ER_OPEN || error == ZIP_ER_NOENT) return tl::unexpected(CannotOpen());
    if (error == ZIP_ER_READ) return tl::unexpected(CannotRead());
    return tl::unexpected(Damaged());
  }
  return std::unique_ptr<ZipArchive>(new ZipArchive(archive, limits));
}

Result<std::unique_ptr<ZipArchive>> ZipArchive::OpenMemory(std::string_view data,
                                                           const ReadLimits& limits) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(data.data(), data.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return tl::unexpected(OutOfMemory());
  }
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  zip_error_fini(&error);
  if (archive == nullptr) {
    zip_source_free(source);
    return tl::unexpected(Damaged());
  }
  return std::unique_ptr<ZipArchive>(new ZipArchive(archive, limits));
}

ZipArchive::~ZipArchive() { zip_discard(archive_); }

std::optional<uint64_t> ZipArchive::Find(std::string_view name) const {
  const std::string wanted(name);
  const zip_int64_t found = zip_name_locate(archive_, wanted.c_str(), 0);  // hashed
  if (found >= 0) return static_cast<uint64_t>(found);
  // Other cases, and some writers store "xl\worksheets\sheet1.xml": one pass builds an index
  // by normalised name (the first entry of each name wins), so a workbook naming many parts
  // costs no quadratic scan.
  if (!by_normalised_name_) {
    by_normalised_name_.emplace();
    const zip_int64_t entries = zip_get_num_entries(archive_, 0);
    for (zip_int64_t i = 0; i < entries; ++i) {
      const char* entry_name = zip_get_name(archive_, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
      if (entry_name != nullptr) {
        by_normalised_name_->emplace(Normalise(entry_name), static_cast<uint64_t>(i));
      }
    }
  }
  const auto it = by_normalised_name_->find(Normalise(name));
  if (it == by_normalised_name_->end()) return std::nullopt;
  return it->second;
}

int64_t ZipArchive::DeclaredSize(uint64_t index) const {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive_, index, 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE)) return 0;
  return static_cast<int64_t>(std::min<zip_uint64_t>(stat.size, INT64_MAX));
}

Result<std::unique_ptr<ZipEntry>> ZipArchive::Open(uint64_t index) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive_, index, 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE) ||
      !(stat.valid & ZIP_STAT_COMP_SIZE)) {
    return tl::unexpected(Damaged());
  }
  const auto size = static_cast<int64_t>(std::min<zip_uint64_t>(stat.size, INT64_MAX));
  const auto compressed = static_cast<int64_t>(std::min<zip_uint64_t>(stat.comp_size, INT64_MAX));
  if (size > limits_.max_uncompressed_bytes) return tl::unexpected(ZipBomb());
  if (size > kRatioCheckBytes &&
      (compressed == 0 || size / compressed > limits_.max_compression_ratio)) {
    return tl::unexpected(ZipBomb());
  }
  zip_file_t* file = zip_fopen_index(archive_, index, 0);
  if (file == nullptr) {
    const int error = zip_error_code_zip(zip_get_error(archive_));
    if (error == ZIP_ER_NOPASSWD || error == ZIP_ER_WRONGPASSWD || error == ZIP_ER_ENCRNOTSUPP) {
      return tl::unexpected(PasswordProtected());
    }
    return tl::unexpected(Damaged());
  }
  return std::unique_ptr<ZipEntry>(new ZipEntry(this, file, size));
}

}  // namespace steward::sheet::internal
