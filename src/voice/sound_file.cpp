#include "voice/sound_file.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace steward::voice {
namespace {

// libsndfile's virtual I/O over bytes in memory (read only).
struct Memory {
  std::string_view bytes;
  sf_count_t at = 0;
};

sf_count_t Length(void* user) {
  return static_cast<sf_count_t>(static_cast<Memory*>(user)->bytes.size());
}

sf_count_t Seek(sf_count_t offset, int whence, void* user) {
  auto* memory = static_cast<Memory*>(user);
  const auto size = static_cast<sf_count_t>(memory->bytes.size());
  sf_count_t to = whence == SEEK_SET   ? offset
                  : whence == SEEK_CUR ? memory->at + offset
                                       : size + offset;
  memory->at = std::clamp<sf_count_t>(to, 0, size);
  return memory->at;
}

sf_count_t Read(void* out, sf_count_t count, void* user) {
  auto* memory = static_cast<Memory*>(user);
  const auto size = static_cast<sf_count_t>(memory->bytes.size());
  const sf_count_t take = std::clamp<sf_count_t>(size - memory->at, 0, count);
  std::memcpy(out, memory->bytes.data() + memory->at, static_cast<size_t>(take));
  memory->at += take;
  return take;
}

sf_count_t Write(const void*, sf_count_t, void*) { return 0; }

sf_count_t Tell(void* user) { return static_cast<Memory*>(user)->at; }

auto Unreadable(const std::string& why) {
  return Fail(ErrorCode::kInvalidArgument,
              "无法读取音频文件（支持 WAV、MP3、FLAC、Ogg）/ cannot read the sound file (WAV, MP3, "
              "FLAC, Ogg): " +
                  why,
              {{"file", "unreadable", why}});
}

}  // namespace

Result<Audio> DecodeSoundFile(std::string_view bytes) {
  Memory memory{bytes};
  SF_VIRTUAL_IO io{&Length, &Seek, &Read, &Write, &Tell};
  SF_INFO info{};
  std::unique_ptr<SNDFILE, decltype(&sf_close)> file(sf_open_virtual(&io, SFM_READ, &info, &memory),
                                                     &sf_close);
  if (!file) return Unreadable(sf_strerror(nullptr));
  if (info.channels < 1 || info.samplerate < 1000) return Unreadable("no audio stream");
  const int64_t longest = int64_t{info.samplerate} * kMaxRecordedPromptMs / 1000;
  Audio mono;
  mono.sample_rate = info.samplerate;
  std::vector<int16_t> frames(static_cast<size_t>(4096 * info.channels));
  while (true) {
    const sf_count_t read = sf_readf_short(file.get(), frames.data(), 4096);
    if (read <= 0) break;
    for (sf_count_t i = 0; i < read; ++i) {
      int sum = 0;
      for (int c = 0; c < info.channels; ++c)
        sum += frames[static_cast<size_t>(i * info.channels + c)];
      mono.samples.push_back(static_cast<int16_t>(sum / info.channels));
    }
    if (static_cast<int64_t>(mono.samples.size()) > longest) {
      return Fail(ErrorCode::kInvalidArgument,
                  "录音太长：最长 " + std::to_string(kMaxRecordedPromptMs / 1000) +
                      " 秒 / the recording is too long (at most " +
                      std::to_string(kMaxRecordedPromptMs / 1000) + " s)",
                  {{"file", "too_long", "at most 120 s"}});
    }
  }
  if (mono.samples.empty()) return Unreadable("no sound in it");
  return mono.sample_rate == kTelephoneRate ? mono : Resample(mono, kTelephoneRate);
}

}  // namespace steward::voice
