// Text to speech: the `Tts` interface the prompt cache renders through, and the embedded default,
// espeak-ng run as a separate process (it is GPL: never linked) with its `cmn-latn-pinyin` voice
// (the plain `cmn`/`zh` voices read tone digits aloud), after NormaliseForSpeech.
//
// Ownership: a Tts is owned by whoever renders prompts (the prompt cache). Thread-safety:
// EspeakTts is immutable after construction; each call runs its own process, so calls from
// several threads at once are fine.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "voice/audio.hpp"

namespace steward::voice {

class Tts {
 public:
  virtual ~Tts() = default;

  // `text` (a rendered prompt, Chinese) as mono audio at kTelephoneRate. kUnavailable when the
  // engine cannot be reached; the message never contains the text.
  virtual Result<Audio> Synthesize(std::string_view text) = 0;

  // Names the voice, so a cache keyed by (voice, text) never mixes two engines' audio.
  virtual std::string VoiceId() const = 0;
};

struct EspeakOptions {
  std::string program = "espeak-ng";
  std::string voice = "cmn-latn-pinyin";
  int words_per_minute = 230;  // espeak's -s; about four and a half characters a second in Chinese
  int amplitude = 100;         // espeak's -a (0..200)
  std::chrono::milliseconds timeout{20000};
};

class EspeakTts final : public Tts {
 public:
  explicit EspeakTts(EspeakOptions options = {});

  Result<Audio> Synthesize(std::string_view text) override;
  std::string VoiceId() const override;

  // The phoneme mnemonics espeak-ng would speak for `text` after normalisation (`espeak-ng -x`):
  // what the normalisation tests compare.
  Result<std::string> Phonemes(std::string_view text) const;

  // The same, for text given to espeak-ng as it is (no normalisation).
  Result<std::string> RawPhonemes(std::string_view text) const;

 private:
  EspeakOptions options_;
};

}  // namespace steward::voice
