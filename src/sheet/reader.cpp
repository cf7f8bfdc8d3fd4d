// OpenSheet: reads the first bytes, decides the format by content and hands over to its reader.
#include "sheet/reader.hpp"

#include <cerrno>
#include <exception>
#include <new>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sheet/internal/reader_base.hpp"
#include "sheet/internal/readers.hpp"

namespace steward::sheet {
namespace {

using internal::TextEncoding;

constexpr std::string_view kZipMagic = "PK\x03\x04";
constexpr std::string_view kOle2Magic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

struct Detected {
  Format format = Format::kCsv;
  TextEncoding encoding = TextEncoding::kUtf8;
};

// `prefix` is the first internal::kSniffBytes of the file, `whole` when that is all of it.
Result<Detected> Detect(std::string_view prefix, bool whole, std::optional<Format> forced) {
  if (whole && prefix.empty()) return tl::unexpected(internal::EmptyFile());
  if (forced == Format::kXlsx || (!forced && prefix.starts_with(kZipMagic))) {
    return Detected{Format::kXlsx};
  }
  if (forced == Format::kXls || (!forced && prefix.starts_with(kOle2Magic))) {
    return Detected{Format::kXls};
  }
  if (whole && internal::IsBlankText(prefix)) return tl::unexpected(internal::EmptyFile());
  const std::optional<TextEncoding> encoding = internal::DetectTextEncoding(prefix, whole);
  if (!encoding) return tl::unexpected(internal::NotSpreadsheet());
  return Detected{Format::kCsv, *encoding};
}

// Runs `open`, turning an escaping exception into the error it stands for.
template <typename Open>
Result<std::unique_ptr<SheetReader>> Guarded(Open open) {
  try {
    return open();
  } catch (const std::bad_alloc&) {
    return tl::unexpected(internal::OutOfMemory());
  } catch (const std::exception&) {
    return tl::unexpected(internal::Damaged());
  }
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Result<std::string> ReadPrefix(int fd) {
  std::string prefix(internal::kSniffBytes, '\0');
  size_t filled = 0;
  while (filled < prefix.size()) {
    const ssize_t count =
        ::pread(fd, prefix.data() + filled, prefix.size() - filled, static_cast<off_t>(filled));
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) return tl::unexpected(internal::CannotRead());
    if (count == 0) break;
    filled += static_cast<size_t>(count);
  }
  prefix.resize(filled);
  return prefix;
}

Result<std::unique_ptr<SheetReader>> OpenPath(const std::filesystem::path& path,
                                              const ReadLimits& limits) {
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return tl::unexpected(internal::CannotOpen());
  struct stat status;
  if (::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return tl::unexpected(internal::CannotOpen());
  }
  STEWARD_ASSIGN_OR_RETURN(const std::string prefix, ReadPrefix(fd.get()));
  const bool whole = static_cast<int64_t>(prefix.size()) >= status.st_size;
  STEWARD_ASSIGN_OR_RETURN(const Detected detected, Detect(prefix, whole, std::nullopt));
  switch (detected.format) {
    case Format::kXlsx:
      return internal::OpenXlsxFile(path, limits);
    case Format::kXls:
      return internal::OpenXlsFile(path, limits);
    case Format::kCsv:
      break;
  }
  return internal::OpenCsv(internal::FileSource(fd.release(), status.st_size), detected.encoding,
                           limits);
}

}  // namespace

Result<bool> SheetReader::NextSheet() { return false; }

std::string SheetReader::sheet_name() const { return ""; }

const char* FormatName(Format format) {
  switch (format) {
    case Format::kCsv:
      return "csv";
    case Format::kXlsx:
      return "xlsx";
    case Format::kXls:
      return "xls";
  }
  return "?";
}

Result<std::unique_ptr<SheetReader>> OpenSheet(const std::filesystem::path& path,
                                               const ReadLimits& limits) {
  return Guarded([&] { return OpenPath(path, limits); });
}

Result<std::unique_ptr<SheetReader>> OpenSheetFromMemory(std::string_view data,
                                                         const ReadLimits& limits,
                                                         std::optional<Format> format) {
  return Guarded([&]() -> Result<std::unique_ptr<SheetReader>> {
    const std::string_view prefix = data.substr(0, internal::kSniffBytes);
    STEWARD_ASSIGN_OR_RETURN(const Detected detected,
                             Detect(prefix, prefix.size() == data.size(), format));
    switch (detected.format) {
      case Format::kXlsx:
        return internal::OpenXlsxMemory(data, limits);
      case Format::kXls:
        return internal::OpenXlsMemory(data, limits);
      case Format::kCsv:
        break;
    }
    return internal::OpenCsv(internal::MemorySource(data), detected.encoding, limits);
  });
}

}  // namespace steward::sheet
