#include "voice/prompt_cache.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <optional>
#include <string_view>

#include "crypto/digest.hpp"
#include "voice/recorded_prompts.hpp"
#include "voice/recordings.hpp"
#include "voice/speech_text.hpp"

namespace steward::voice {
namespace {

constexpr int kSilence = 200;  // |sample| below this counts as silence at a piece's edges
constexpr size_t kEdge = kTelephoneRate / 100;  // 10 ms of a trimmed edge kept

// Punctuation after which espeak-ng's pause is kept (it is the sentence's own).
constexpr std::array<std::string_view, 14> kPauses = {"，", "。", "？", "！", "、", "；", "：",
                                                      ",",  ".",  "?",  "!",  ";",  ":",  "…"};

bool EndsWithPause(std::string_view text) {
  return std::any_of(kPauses.begin(), kPauses.end(),
                     [&](std::string_view pause) { return text.ends_with(pause); });
}

// Digits, ASCII or full-width (U+FF10..U+FF19: EF BC 90..99).
bool HasDigit(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] >= '0' && text[i] <= '9') return true;
    if (i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xEF &&
        static_cast<unsigned char>(text[i + 1]) == 0xBC &&
        static_cast<unsigned char>(text[i + 2]) >= 0x90 &&
        static_cast<unsigned char>(text[i + 2]) <= 0x99) {
      return true;
    }
  }
  return false;
}

bool Loud(int16_t sample) { return std::abs(int{sample}) >= kSilence; }

std::optional<std::vector<int16_t>> ReadPcm(const std::filesystem::path& path) {
  const std::string bytes = ReadWhole(path);
  if (bytes.empty() || bytes.size() % 2 != 0) return std::nullopt;
  std::vector<int16_t> samples(bytes.size() / 2);
  for (size_t i = 0; i < samples.size(); ++i) {
    samples[i] = static_cast<int16_t>(static_cast<uint8_t>(bytes[2 * i]) |
                                      (static_cast<uint8_t>(bytes[2 * i + 1]) << 8));
  }
  return samples;
}

std::string PcmBytes(const std::vector<int16_t>& samples) {
  std::string bytes(samples.size() * 2, '\0');
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto value = static_cast<uint16_t>(samples[i]);
    bytes[2 * i] = static_cast<char>(value & 0xFF);
    bytes[2 * i + 1] = static_cast<char>(value >> 8);
  }
  return bytes;
}

}  // namespace

struct PromptCache::Job {
  std::vector<std::string> pieces;
  std::vector<Samples> audio;  // each piece's, as it becomes known; guarded by the cache's mutex
  Done done;
  size_t remaining = 0;        // pieces still being synthesised; guarded by the cache's mutex
  std::optional<Error> error;  // the first piece that failed; guarded by the cache's mutex
};

PromptCache::PromptCache(Tts& tts, PromptCacheOptions options)
    : tts_(tts), options_(std::move(options)), voice_(tts.VoiceId()) {
  if (!options_.directory.empty()) {
    std::error_code error;
    std::filesystem::create_directories(options_.directory, error);
    if (error) options_.directory.clear();  // memory only: the cache still works
  }
  const int workers = std::max(1, options_.workers);
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

PromptCache::~PromptCache() {
  std::vector<std::shared_ptr<Job>> cancelled;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [key, jobs] : waiting_) {
      for (auto& job : jobs) {
        if (std::find(cancelled.begin(), cancelled.end(), job) == cancelled.end()) {
          cancelled.push_back(job);
        }
      }
    }
    waiting_.clear();
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
  for (auto& job : cancelled) {
    job->done(
        Fail(ErrorCode::kUnavailable, "the prompt cache stopped before the prompt was ready"));
  }
}

std::vector<std::string> PromptCache::SpeechPieces(const std::vector<std::string>& pieces) {
  if (pieces.size() <= 1) return pieces;
  std::string whole;
  std::string apart;
  for (const auto& piece : pieces) {
    whole += piece;
    apart += NormaliseForSpeech(piece);
  }
  if (NormaliseForSpeech(whole) == apart) return pieces;
  return {whole};
}

std::string PromptCache::Key(const std::string& text) const { return voice_ + '\n' + text; }

void PromptCache::Fetch(const std::vector<std::string>& pieces, Done done) {
  NoticeRecordings();
  auto job = std::make_shared<Job>();
  job->pieces = SpeechPieces(pieces);
  job->audio.resize(job->pieces.size());
  job->done = std::move(done);
  bool ready = false;
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      job->error = Error{ErrorCode::kUnavailable, "the prompt cache is stopping", {}};
    } else {
      for (size_t i = 0; i < job->pieces.size(); ++i) {
        const std::string& text = job->pieces[i];
        const std::string key = Key(text);
        if (auto found = cached_.find(key); found != cached_.end()) {
          job->audio[i] = found->second;
          continue;
        }
        auto [waiting, fresh] = waiting_.try_emplace(key);
        if (std::find(waiting->second.begin(), waiting->second.end(), job) !=
            waiting->second.end()) {
          continue;  // the same piece twice in one prompt
        }
        waiting->second.push_back(job);
        ++job->remaining;
        if (fresh) {
          queue_.push_back(text);
          queued = true;
        }
      }
    }
    ready = job->remaining == 0;
  }
  if (queued) wake_.notify_all();
  if (!ready) return;
  job->done(job->error ? Result<Samples>(tl::unexpected(*job->error)) : Splice(*job));
}

void PromptCache::Warm(const std::vector<std::string>& texts) {
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    for (const auto& text : texts) {
      const std::string key = Key(text);
      if (text.empty() || cached_.contains(key)) continue;
      if (waiting_.try_emplace(key).second) {
        queue_.push_back(text);
        queued = true;
      }
    }
  }
  if (queued) wake_.notify_all();
}

Result<PromptCache::Samples> PromptCache::Get(const std::vector<std::string>& pieces) {
  std::promise<Result<Samples>> promise;
  auto future = promise.get_future();
  Fetch(pieces, [&promise](Result<Samples> audio) { promise.set_value(std::move(audio)); });
  return future.get();
}

Status PromptCache::Render(const std::vector<std::string>& texts) {
  Warm(texts);  // every worker busy at once; the waits below then mostly find them cached
  for (const std::string& text : texts) STEWARD_TRY(Get(text));
  return Ok();
}

bool PromptCache::failing() const {
  std::lock_guard lock(mutex_);
  return failing_;
}

bool PromptCache::Settled(const std::string& text) const {
  std::lock_guard lock(mutex_);
  return cached_.contains(Key(text)) || failed_.contains(text);
}

void PromptCache::RetryFailed() {
  std::vector<std::string> texts;
  {
    std::lock_guard lock(mutex_);
    texts.assign(failed_.begin(), failed_.end());
  }
  Warm(texts);
}

size_t PromptCache::size() const {
  std::lock_guard lock(mutex_);
  return cached_.size();
}

size_t PromptCache::synthesised() const {
  std::lock_guard lock(mutex_);
  return synthesised_;
}

size_t PromptCache::read_from_disk() const {
  std::lock_guard lock(mutex_);
  return read_from_disk_;
}

Result<PromptCache::Samples> PromptCache::Produce(const std::string& text) {
  if (options_.recorded) {
    if (auto recorded = options_.recorded->ByText(text)) return *recorded;
  }
  const bool on_disk = !options_.directory.empty() && !HasDigit(text);
  const std::filesystem::path file =
      on_disk ? std::filesystem::path(options_.directory) / (crypto::Sha256Hex(Key(text)) + ".pcm")
              : std::filesystem::path();
  if (on_disk) {
    if (auto samples = ReadPcm(file)) {
      std::lock_guard lock(mutex_);
      ++read_from_disk_;
      return std::make_shared<const std::vector<int16_t>>(std::move(*samples));
    }
  }
  STEWARD_ASSIGN_OR_RETURN(Audio audio, tts_.Synthesize(text));
  {
    std::lock_guard lock(mutex_);
    ++synthesised_;
  }
  // A cache that cannot be written is only slower next time.
  if (on_disk && !audio.samples.empty()) (void)WriteWhole(file, PcmBytes(audio.samples));
  return std::make_shared<const std::vector<int16_t>>(std::move(audio.samples));
}

void PromptCache::Work() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const std::string text = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Result<Samples> audio = Produce(text);
    lock.lock();
    const std::string key = Key(text);
    if (audio) cached_[key] = *audio;
    failing_ = !audio;
    if (audio) {
      failed_.erase(text);
    } else {
      failed_.insert(text);
    }
    std::vector<std::shared_ptr<Job>> ready;
    if (auto waiting = waiting_.extract(key)) {
      for (auto& job : waiting.mapped()) {
        if (!audio && !job->error) job->error = audio.error();
        for (size_t i = 0; audio && i < job->pieces.size(); ++i) {
          if (job->pieces[i] == text) job->audio[i] = *audio;
        }
        if (--job->remaining == 0) ready.push_back(std::move(job));
      }
    }
    if (ready.empty()) continue;
    lock.unlock();
    for (auto& job : ready) {
      job->done(job->error ? Result<Samples>(tl::unexpected(*job->error)) : Splice(*job));
    }
    lock.lock();
  }
}

PromptCache::Samples PromptCache::Splice(const Job& job) {
  const std::vector<Samples>& parts = job.audio;
  if (parts.size() == 1) return parts.front();
  auto spliced = std::make_shared<std::vector<int16_t>>();
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::vector<int16_t>& audio = *parts[i];
    auto begin = audio.begin();
    auto end = audio.end();
    if (i > 0) {
      begin = std::find_if(audio.begin(), audio.end(), Loud);
      begin -= std::min<size_t>(kEdge, static_cast<size_t>(begin - audio.begin()));
    }
    if (i + 1 < parts.size() && !EndsWithPause(job.pieces[i])) {
      auto last_loud = std::find_if(audio.rbegin(), audio.rend(), Loud).base();
      end = last_loud + std::min<size_t>(kEdge, static_cast<size_t>(audio.end() - last_loud));
    }
    if (begin < end) spliced->insert(spliced->end(), begin, end);
  }
  return spliced;
}

void PromptCache::NoticeRecordings() {
  if (!options_.recorded) return;
  const uint64_t generation = options_.recorded->generation();
  {
    std::lock_guard lock(mutex_);
    if (generation == recorded_generation_) return;
  }
  std::vector<std::string> texts = options_.recorded->Texts();
  std::lock_guard lock(mutex_);
  if (generation == recorded_generation_) return;
  recorded_generation_ = generation;
  for (const auto& text : recorded_texts_) cached_.erase(Key(text));  // a recording removed
  for (const auto& text : texts) cached_.erase(Key(text));            // or added, or replaced
  recorded_texts_ = std::move(texts);
}

std::optional<PromptCache::Samples> PromptCache::Recording(const std::string& name) {
  if (!options_.recorded) return std::nullopt;
  return options_.recorded->ByName(name);
}

}  // namespace steward::voice
