#include "voice/tts.hpp"

#include <utility>

#include "voice/internal/process.hpp"
#include "voice/speech_text.hpp"

namespace steward::voice {

EspeakTts::EspeakTts(EspeakOptions options) : options_(std::move(options)) {}

std::string EspeakTts::VoiceId() const {
  return "espeak-ng:" + options_.voice + ":" + std::to_string(options_.words_per_minute) + ":" +
         std::to_string(options_.amplitude);
}

Result<Audio> EspeakTts::Synthesize(std::string_view text) {
  const std::string spoken = NormaliseForSpeech(text);
  STEWARD_ASSIGN_OR_RETURN(
      const std::string wav,
      internal::RunProcess({options_.program, "-v", options_.voice, "-b", "1", "-s",
                            std::to_string(options_.words_per_minute), "-a",
                            std::to_string(options_.amplitude), "--stdout"},
                           spoken, options_.timeout));
  STEWARD_ASSIGN_OR_RETURN(const Audio audio, ParseWav(wav));
  return Resample(audio, kTelephoneRate);
}

Result<std::string> EspeakTts::Phonemes(std::string_view text) const {
  return RawPhonemes(NormaliseForSpeech(text));
}

Result<std::string> EspeakTts::RawPhonemes(std::string_view text) const {
  STEWARD_ASSIGN_OR_RETURN(
      std::string phonemes,
      internal::RunProcess({options_.program, "-v", options_.voice, "-b", "1", "-q", "-x"},
                           std::string(text), options_.timeout));
  // One line per clause; the table compares them joined by spaces, without the trailing newline.
  std::string joined;
  for (char c : phonemes) {
    if (c == '\n') {
      if (!joined.empty() && joined.back() != ' ') joined += ' ';
    } else {
      joined += c;
    }
  }
  while (!joined.empty() && joined.back() == ' ') joined.pop_back();
  while (!joined.empty() && joined.front() == ' ') joined.erase(joined.begin());
  return joined;
}

}  // namespace steward::voice
