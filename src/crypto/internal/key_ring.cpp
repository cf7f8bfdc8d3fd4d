#include "crypto/internal/key_ring.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <nlohmann/json.hpp>

#include "crypto/internal/base64.hpp"

namespace steward::crypto::internal {
namespace {

using nlohmann::json;

constexpr int kFormat = 1;
constexpr size_t kMaxKeyIdLength = 32;
constexpr mode_t kFileMode = 0600;
constexpr mode_t kDirMode = 0700;

std::string Describe(const std::filesystem::path& path) { return "key file " + path.string(); }

std::string ErrnoText(int error) { return std::strerror(error); }

// Wipes a string that held secrets (serialised key file text) before its memory is released.
struct WipeOnExit {
  std::string* text;
  ~WipeOnExit() { OPENSSL_cleanse(text->data(), text->size()); }
};

void WipeString(json* value) {
  if (value->is_string()) {
    auto& text = value->get_ref<std::string&>();
    OPENSSL_cleanse(text.data(), text.size());
  }
}

// Wipes the base64 secrets held by a parsed or built key file document when it goes out of scope.
struct WipeJsonSecretsOnExit {
  json* doc;
  ~WipeJsonSecretsOnExit() {
    if (!doc->is_object()) return;
    if (auto lookup = doc->find("lookup_key"); lookup != doc->end()) WipeString(&*lookup);
    auto keys = doc->find("keys");
    if (keys == doc->end() || !keys->is_array()) return;
    for (json& entry : *keys) {
      if (!entry.is_object()) continue;
      if (auto secret = entry.find("secret"); secret != entry.end()) WipeString(&*secret);
    }
  }
};

Result<SecretKey> DecodeSecret(const json& value, std::string_view what,
                               const std::filesystem::path& origin) {
  if (!value.is_string())
    return Fail(ErrorCode::kDataLoss, Describe(origin) + ": " + std::string(what) + " missing");
  const auto& text = value.get_ref<const std::string&>();
  std::optional<std::string> raw = Base64Decode(text, Base64Alphabet::kStandardPadded);
  if (!raw || raw->size() != kSecretBytes) {
    if (raw) OPENSSL_cleanse(raw->data(), raw->size());
    return Fail(ErrorCode::kDataLoss,
                Describe(origin) + ": " + std::string(what) + " is not base64 of 32 bytes");
  }
  SecretKey key(*raw);
  OPENSSL_cleanse(raw->data(), raw->size());
  return key;
}

Result<DataKey> ParseDataKey(const json& entry, const std::filesystem::path& origin) {
  if (!entry.is_object()) return Fail(ErrorCode::kDataLoss, Describe(origin) + ": bad key entry");
  const auto id = entry.find("id");
  if (id == entry.end() || !id->is_string() || !IsValidKeyId(id->get_ref<const std::string&>())) {
    return Fail(ErrorCode::kDataLoss, Describe(origin) + ": key entry without a valid id");
  }
  DataKey key;
  key.id = id->get<std::string>();
  const auto created = entry.find("created");
  if (created != entry.end() && created->is_string()) key.created = created->get<std::string>();
  const auto secret = entry.find("secret");
  STEWARD_ASSIGN_OR_RETURN(key.secret, DecodeSecret(secret == entry.end() ? json() : *secret,
                                                    "secret of key " + key.id, origin));
  return key;
}

// Writes all of `text` to `fd`, then fsyncs it.
Status WriteAllAndSync(int fd, std::string_view text, const std::filesystem::path& path) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      return Fail(ErrorCode::kInternal, "cannot write " + path.string() + ": " + ErrnoText(errno));
    }
    text.remove_prefix(size_t(written));
  }
  if (::fsync(fd) != 0) {
    return Fail(ErrorCode::kInternal, "cannot fsync " + path.string() + ": " + ErrnoText(errno));
  }
  return Ok();
}

// Creates `path` exclusively at mode 0600 and fills it with the serialised ring.
Status WriteNewFile(const std::filesystem::path& path, const KeyRing& ring) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kFileMode);
  if (fd < 0) {
    return Fail(errno == EEXIST ? ErrorCode::kAlreadyExists : ErrorCode::kInternal,
                "cannot create " + path.string() + ": " + ErrnoText(errno));
  }
  std::string text = SerializeKeyRing(ring);
  WipeOnExit wipe{&text};
  Status status = WriteAllAndSync(fd, text, path);
  ::close(fd);
  if (!status) ::unlink(path.c_str());
  return status;
}

// A sibling name no other writer picks: "<name>.tmp.<pid>.<random hex>".
std::filesystem::path TempPathBeside(const std::filesystem::path& path) {
  unsigned char random[8];
  if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string suffix = ".tmp." + std::to_string(::getpid()) + ".";
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char byte : random) {
    suffix += kHex[byte >> 4];
    suffix += kHex[byte & 15];
  }
  std::filesystem::path temp = path;
  temp += suffix;
  return temp;
}

// Makes a rename or link in `directory` durable.
void SyncDirectory(const std::filesystem::path& directory) {
  const int fd =
      ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// mkdir -p with mode 0700 for the directories this creates (existing ones are left alone).
Status CreateParentDirectories(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  if (parent.empty()) return Ok();
  std::vector<std::filesystem::path> missing;
  std::error_code error;
  for (std::filesystem::path dir = parent; !dir.empty() && !std::filesystem::exists(dir, error);
       dir = dir.parent_path()) {
    missing.push_back(dir);
    if (dir == dir.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), kDirMode) != 0 && errno != EEXIST) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "cannot create directory " + it->string() + ": " + ErrnoText(errno));
    }
  }
  return Ok();
}

FileStamp StampOf(const struct stat& info) {
  FileStamp stamp;
  stamp.device = info.st_dev;
  stamp.inode = info.st_ino;
  stamp.mtime_nanos = int64_t(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  stamp.size = int64_t(info.st_size);
  return stamp;
}

}  // namespace

SecretKey::SecretKey(std::string_view raw) {
  if (raw.size() != kSecretBytes) throw std::logic_error("SecretKey needs 32 bytes");
  std::memcpy(bytes_.data(), raw.data(), kSecretBytes);
}

SecretKey::~SecretKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

SecretKey SecretKey::Random() {
  SecretKey key;
  if (RAND_bytes(key.bytes_.data(), int(key.bytes_.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: the system random generator is unavailable");
  }
  return key;
}

bool SecretKey::operator==(const SecretKey& other) const {
  return CRYPTO_memcmp(bytes_.data(), other.bytes_.data(), kSecretBytes) == 0;
}

const DataKey* KeyRing::Find(std::string_view id) const {
  for (const DataKey& key : keys) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

bool IsValidKeyId(std::string_view id) {
  // Starting with a letter keeps ids apart from ID numbers and phones, so an id may be quoted in an
  // error message even when a caller passed a plaintext value by mistake.
  if (id.empty() || id.size() > kMaxKeyIdLength) return false;
  if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z'))) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string NextKeyId(const KeyRing& ring) {
  uint64_t largest = 0;
  for (const DataKey& key : ring.keys) {
    if (key.id.size() < 2 || key.id.size() > 19 || key.id[0] != 'k') continue;
    uint64_t number = 0;
    bool digits = true;
    for (size_t i = 1; i < key.id.size(); ++i) {
      if (key.id[i] < '0' || key.id[i] > '9') digits = false;
      number = number * 10 + uint64_t(key.id[i] - '0');
    }
    if (digits && number > largest) largest = number;
  }
  return "k" + std::to_string(largest + 1);
}

Result<KeyRing> ParseKeyRing(std::string_view text, const std::filesystem::path& origin) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  WipeJsonSecretsOnExit wipe{&doc};
  if (doc.is_discarded() || !doc.is_object()) {
    return Fail(ErrorCode::kDataLoss, Describe(origin) + " is not a JSON object");
  }
  const auto format = doc.find("format");
  if (format == doc.end() || !format->is_number_integer() || format->get<int>() != kFormat) {
    return Fail(ErrorCode::kDataLoss, Describe(origin) + ": unsupported \"format\" (want 1)");
  }
  const auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array() || keys->empty()) {
    return Fail(ErrorCode::kDataLoss, Describe(origin) + ": \"keys\" must be a non-empty array");
  }
  KeyRing ring;
  for (const json& entry : *keys) {
    STEWARD_ASSIGN_OR_RETURN(DataKey key, ParseDataKey(entry, origin));
    if (ring.Find(key.id) != nullptr) {
      return Fail(ErrorCode::kDataLoss, Describe(origin) + ": key " + key.id + " appears twice");
    }
    ring.keys.push_back(std::move(key));
  }
  const auto active = doc.find("active");
  if (active == doc.end() || !active->is_string() ||
      ring.Find(active->get_ref<const std::string&>()) == nullptr) {
    return Fail(ErrorCode::kDataLoss, Describe(origin) + ": \"active\" names no key in the file");
  }
  ring.active = active->get<std::string>();
  const auto lookup = doc.find("lookup_key");
  STEWARD_ASSIGN_OR_RETURN(
      ring.lookup_key, DecodeSecret(lookup == doc.end() ? json() : *lookup, "lookup_key", origin));
  return ring;
}

std::string SerializeKeyRing(const KeyRing& ring) {
  json keys = json::array();
  for (const DataKey& key : ring.keys) {
    keys.push_back({{"id", key.id},
                    {"created", key.created},
                    {"secret", Base64Encode(key.secret.view(), Base64Alphabet::kStandardPadded)}});
  }
  json doc = {
      {"format", kFormat},
      {"active", ring.active},
      {"keys", std::move(keys)},
      {"lookup_key", Base64Encode(ring.lookup_key.view(), Base64Alphabet::kStandardPadded)}};
  WipeJsonSecretsOnExit wipe{&doc};
  return doc.dump(2);
}

Status MergeKeyRing(const KeyRing& disk, const std::filesystem::path& origin, KeyRing* memory) {
  if (!(disk.lookup_key == memory->lookup_key)) {
    return Fail(ErrorCode::kDataLoss,
                Describe(origin) +
                    " has a different lookup_key than the one loaded; refusing to "
                    "mix two unrelated key files");
  }
  for (const DataKey& key : disk.keys) {
    const DataKey* known = memory->Find(key.id);
    if (known == nullptr) {
      memory->keys.push_back(key);
    } else if (!(known->secret == key.secret)) {
      return Fail(ErrorCode::kDataLoss,
                  Describe(origin) + " has a different secret for key " + key.id +
                      " than the one loaded; refusing to mix two unrelated key files");
    }
  }
  memory->active = disk.active;
  return Ok();
}

Result<FileStamp> StatKeyFile(const std::filesystem::path& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return Fail(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                "cannot stat " + Describe(path) + ": " + ErrnoText(errno));
  }
  return StampOf(info);
}

Result<KeyRing> ReadKeyFile(const std::filesystem::path& path, FileStamp* stamp) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Fail(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kFailedPrecondition,
                "cannot open " + Describe(path) + ": " + ErrnoText(errno));
  }
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Fail(ErrorCode::kFailedPrecondition, Describe(path) + " is not a regular file");
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(info.st_mode & 07777));
    return Fail(ErrorCode::kFailedPrecondition,
                Describe(path) + " has mode " + mode +
                    "; group and others must have no access. Run: chmod 600 " + path.string());
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error = errno;
      ::close(fd);
      OPENSSL_cleanse(text.data(), text.size());
      return Fail(ErrorCode::kUnavailable,
                  "cannot read " + Describe(path) + ": " + ErrnoText(error));
    }
    if (got == 0) break;
    text.append(buffer, size_t(got));
  }
  OPENSSL_cleanse(buffer, sizeof buffer);
  ::close(fd);
  WipeOnExit wipe{&text};
  if (stamp != nullptr) *stamp = StampOf(info);
  return ParseKeyRing(text, path);
}

Status CreateKeyFile(const std::filesystem::path& path, const KeyRing& ring) {
  STEWARD_TRY(CreateParentDirectories(path));
  // Written in full under a temporary name, then hard-linked into place: link() fails if the key
  // file appeared meanwhile, so a racing process never sees, nor clobbers, a half-written file.
  const std::filesystem::path temp = TempPathBeside(path);
  STEWARD_TRY(WriteNewFile(temp, ring));
  const int linked = ::link(temp.c_str(), path.c_str());
  const int error = errno;
  ::unlink(temp.c_str());
  if (linked != 0) {
    return Fail(error == EEXIST ? ErrorCode::kAlreadyExists : ErrorCode::kInternal,
                "cannot create " + Describe(path) + ": " + ErrnoText(error));
  }
  SyncDirectory(path.parent_path());
  return Ok();
}

Status ReplaceKeyFile(const std::filesystem::path& path, const KeyRing& ring) {
  const std::filesystem::path temp = TempPathBeside(path);
  STEWARD_TRY(WriteNewFile(temp, ring));
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return Fail(ErrorCode::kInternal, "cannot replace " + Describe(path) + ": " + ErrnoText(error));
  }
  SyncDirectory(path.parent_path());
  return Ok();
}

Result<KeyFileLock> KeyFileLock::Acquire(const std::filesystem::path& key_file) {
  std::filesystem::path lock_path = key_file;
  lock_path += ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kFileMode);
  if (fd < 0) {
    return Fail(ErrorCode::kFailedPrecondition,
                "cannot open " + lock_path.string() + ": " + ErrnoText(errno));
  }
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int error = errno;
    ::close(fd);
    return Fail(ErrorCode::kUnavailable,
                "cannot lock " + lock_path.string() + ": " + ErrnoText(error));
  }
  return KeyFileLock(fd);
}

KeyFileLock::~KeyFileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace steward::crypto::internal
