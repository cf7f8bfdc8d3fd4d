// The speech plug-ins for deployments with a speech server: text to speech and speech to text
// over HTTP, in the OpenAI-compatible protocol most servers speak (LocalAI, vLLM, Xinference,
// sherpa-onnx's and FunASR's OpenAI front ends …):
//   * HttpTts: POST <url>/v1/audio/speech, JSON {model, input, voice, response_format: "wav"};
//     the WAV that comes back (any rate, mono or stereo) is resampled to 8 kHz. What the server
//     reads is the text as rendered: it does its own normalisation, so NormaliseForSpeech (which
//     writes pinyin for espeak-ng) is not applied.
//   * HttpAsr: POST <url>/v1/audio/transcriptions, multipart: file (a 16 kHz mono WAV, as most
//     models want it), model, language "zh", response_format "json"; the answer's "text".
// An `api_key` is sent as "Authorization: Bearer"; it never reaches a log, nor do texts or audio.
//
// Thread-safety: immutable after construction; each call makes its own HTTP request (libcurl easy
// handle), so calls from several threads at once are fine.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "voice/audio.hpp"
#include "voice/tts.hpp"

namespace steward::voice {

struct HttpSpeechOptions {
  std::string url;  // the server's base URL, e.g. http://10.0.0.7:8000 (no /v1)
  std::string model;
  std::string voice;    // TTS only
  std::string api_key;  // empty: no Authorization header
  std::chrono::milliseconds timeout{15000};
};

class HttpTts final : public Tts {
 public:
  explicit HttpTts(HttpSpeechOptions options);
  Result<Audio> Synthesize(std::string_view text) override;
  std::string VoiceId() const override;

 private:
  HttpSpeechOptions options_;
};

// Speech to text: the channel's ears when an ASR server is configured.
class Asr {
 public:
  virtual ~Asr() = default;
  // What was said in `audio` (mono), as text. kUnavailable when the server cannot be reached or
  // refuses it; the message never contains what was said.
  virtual Result<std::string> Transcribe(const Audio& audio) = 0;
};

class HttpAsr final : public Asr {
 public:
  static constexpr int kUploadRate = 16000;
  explicit HttpAsr(HttpSpeechOptions options);
  Result<std::string> Transcribe(const Audio& audio) override;

 private:
  HttpSpeechOptions options_;
};

}  // namespace steward::voice
