#include "voice/recorded_prompts.hpp"

#include <sys/stat.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "crypto/digest.hpp"
#include "voice/recordings.hpp"

namespace steward::voice {
namespace {

constexpr size_t kMaxName = 100;

}  // namespace

std::filesystem::path RecordedPrompts::FileOf(const std::string& name) const {
  return dir_ / (crypto::Sha256Hex(name) + ".wav");
}

void RecordedPrompts::Refresh() {
  // Another process's save shows as a new index file; modification times are too coarse to tell
  // two quick saves apart, so the contents decide, read again at least once a second.
  struct stat status {};
  const auto index = dir_ / "index.json";
  const bool exists = ::stat(index.c_str(), &status) == 0;
  const auto now = std::chrono::steady_clock::now();
  const std::tuple<bool, ino_t, int64_t, off_t> seen{
      exists, exists ? status.st_ino : 0,
      exists ? int64_t{status.st_mtim.tv_sec} * 1'000'000'000 + status.st_mtim.tv_nsec : 0,
      exists ? status.st_size : 0};
  if (seen == index_stat_ && now - index_read_at_ < std::chrono::seconds(1)) return;
  index_stat_ = seen;
  index_read_at_ = now;
  std::string content = exists ? ReadWhole(index) : std::string();
  if (content == index_content_) return;
  index_content_ = std::move(content);
  ++generation_;
  prompts_.clear();
  loaded_.clear();
  const auto json = nlohmann::json::parse(index_content_, nullptr, false);
  if (!json.is_array()) return;
  for (const auto& item : json) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) continue;
    RecordedPrompt prompt;
    prompt.name = item["name"].get<std::string>();
    prompt.text = item.value("text", "");
    prompt.duration_ms = item.value("duration_ms", int64_t{0});
    prompt.saved_at_ms = item.value("saved_at_ms", int64_t{0});
    prompts_[prompt.name] = prompt;
  }
}

Status RecordedPrompts::WriteIndex() {
  nlohmann::json index = nlohmann::json::array();
  for (const auto& [name, prompt] : prompts_) {
    index.push_back({{"name", prompt.name},
                     {"text", prompt.text},
                     {"duration_ms", prompt.duration_ms},
                     {"saved_at_ms", prompt.saved_at_ms}});
  }
  std::string content = index.dump(1);
  STEWARD_TRY(WriteWhole(dir_ / "index.json", content));
  index_content_ = std::move(content);
  index_read_at_ = {};  // the next Refresh takes the new file's status
  ++generation_;
  return Ok();
}

Result<RecordedPrompt> RecordedPrompts::Save(const std::string& name, const std::string& text,
                                             const Audio& audio, int64_t now_ms) {
  if (name.empty() || name.size() > kMaxName) {
    return Fail(ErrorCode::kInvalidArgument,
                "录音名称须为 1 到 100 个字节 / a recording's name is 1 to 100 bytes",
                {{"name", "length", "1..100 bytes"}});
  }
  std::lock_guard lock(mutex_);
  Refresh();
  for (const auto& [other, prompt] : prompts_) {
    if (other != name && !text.empty() && prompt.text == text) {
      return Fail(ErrorCode::kAlreadyExists,
                  "这段文字已有录音「" + other + "」/ this text is already recorded as " + other,
                  {{"text", "already_recorded", other}});
    }
  }
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error) {
    return Fail(ErrorCode::kUnavailable, "cannot create " + dir_.string() + ": " + error.message());
  }
  Audio mono = audio;
  mono.channels = 1;
  STEWARD_TRY(WriteWhole(FileOf(name), WavBytes(mono)));
  RecordedPrompt& prompt = prompts_[name];
  prompt = {name, text, mono.DurationMs(), now_ms};
  loaded_.erase(name);
  STEWARD_TRY(WriteIndex());
  return prompt;
}

Status RecordedPrompts::Remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  Refresh();
  if (prompts_.erase(name) == 0) {
    return Fail(ErrorCode::kNotFound, "没有这个录音 / no such recording: " + name);
  }
  loaded_.erase(name);
  STEWARD_TRY(WriteIndex());
  std::error_code ignored;
  std::filesystem::remove(FileOf(name), ignored);
  return Ok();
}

std::vector<RecordedPrompt> RecordedPrompts::List() {
  std::lock_guard lock(mutex_);
  Refresh();
  std::vector<RecordedPrompt> all;
  for (const auto& [name, prompt] : prompts_) all.push_back(prompt);
  return all;
}

std::optional<RecordedPrompts::Samples> RecordedPrompts::Load(const std::string& name) {
  if (auto found = loaded_.find(name); found != loaded_.end()) return found->second;
  auto audio = ParseWav(ReadWhole(FileOf(name)));
  if (!audio || audio->samples.empty()) return std::nullopt;
  auto samples = std::make_shared<const std::vector<int16_t>>(std::move(audio->samples));
  loaded_[name] = samples;
  return samples;
}

std::optional<RecordedPrompts::Samples> RecordedPrompts::ByName(const std::string& name) {
  std::lock_guard lock(mutex_);
  Refresh();
  if (!prompts_.contains(name)) return std::nullopt;
  return Load(name);
}

std::optional<RecordedPrompts::Samples> RecordedPrompts::ByText(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  Refresh();
  for (const auto& [name, prompt] : prompts_) {
    if (prompt.text == text) return Load(name);
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> RecordedPrompts::File(const std::string& name) {
  std::lock_guard lock(mutex_);
  Refresh();
  if (!prompts_.contains(name)) return std::nullopt;
  return FileOf(name);
}

uint64_t RecordedPrompts::generation() {
  std::lock_guard lock(mutex_);
  Refresh();
  return generation_;
}

std::vector<std::string> RecordedPrompts::Texts() {
  std::lock_guard lock(mutex_);
  Refresh();
  std::vector<std::string> texts;
  for (const auto& [name, prompt] : prompts_) {
    if (!prompt.text.empty()) texts.push_back(prompt.text);
  }
  return texts;
}

}  // namespace steward::voice
