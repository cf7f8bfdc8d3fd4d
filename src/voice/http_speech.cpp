#include "voice/http_speech.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

namespace steward::voice {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t Collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct Reply {
  long status = 0;
  std::string body;
};

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using Headers = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;
using Mime = std::unique_ptr<curl_mime, decltype(&curl_mime_free)>;

// Sends the request `easy` was set up for. The error names the URL's path and what failed, never
// the body.
Result<Reply> Perform(CURL* easy, const HttpSpeechOptions& options, const std::string& path,
                      curl_slist* headers) {
  Reply reply;
  const std::string url = options.url + path;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(options.timeout.count(), 5000)));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  const CURLcode code = curl_easy_perform(easy);
  if (code != CURLE_OK) {
    return Fail(ErrorCode::kUnavailable,
                "speech server " + path + ": " + std::string(curl_easy_strerror(code)));
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply.status);
  if (reply.status != 200) {
    return Fail(ErrorCode::kUnavailable,
                "speech server " + path + " answered HTTP " + std::to_string(reply.status));
  }
  return reply;
}

Headers CommonHeaders(const HttpSpeechOptions& options, const char* content_type) {
  curl_slist* list = nullptr;
  if (content_type) list = curl_slist_append(list, content_type);
  if (!options.api_key.empty()) {
    list = curl_slist_append(list, ("Authorization: Bearer " + options.api_key).c_str());
  }
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  return Headers(list, &curl_slist_free_all);
}

Audio Mono(Audio audio) {
  if (audio.channels != 2) return audio;
  Audio mono;
  mono.sample_rate = audio.sample_rate;
  mono.samples.reserve(audio.samples.size() / 2);
  for (size_t i = 0; i + 1 < audio.samples.size(); i += 2) {
    mono.samples.push_back(static_cast<int16_t>((audio.samples[i] + audio.samples[i + 1]) / 2));
  }
  return mono;
}

}  // namespace

HttpTts::HttpTts(HttpSpeechOptions options) : options_(std::move(options)) { GlobalInit(); }

std::string HttpTts::VoiceId() const {
  return "http " + options_.url + " " + options_.model + " " + options_.voice;
}

Result<Audio> HttpTts::Synthesize(std::string_view text) {
  Easy easy(curl_easy_init(), &curl_easy_cleanup);
  if (!easy) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  const std::string body = nlohmann::json{
      {"model", options_.model},
      {"input", std::string(text)},
      {"voice", options_.voice},
      {"response_format",
       "wav"}}.dump();
  Headers headers = CommonHeaders(options_, "Content-Type: application/json");
  curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  STEWARD_ASSIGN_OR_RETURN(Reply reply,
                           Perform(easy.get(), options_, "/v1/audio/speech", headers.get()));
  auto audio = ParseWav(reply.body);
  if (!audio) {
    return Fail(ErrorCode::kUnavailable,
                "speech server /v1/audio/speech: not a usable WAV: " + audio.error().message);
  }
  if (audio->samples.empty()) {
    return Fail(ErrorCode::kUnavailable, "speech server /v1/audio/speech: empty audio");
  }
  return Resample(Mono(std::move(*audio)), kTelephoneRate);
}

HttpAsr::HttpAsr(HttpSpeechOptions options) : options_(std::move(options)) { GlobalInit(); }

Result<std::string> HttpAsr::Transcribe(const Audio& audio) {
  Easy easy(curl_easy_init(), &curl_easy_cleanup);
  if (!easy) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  const std::string wav = WavBytes(Resample(Mono(audio), kUploadRate));
  Mime mime(curl_mime_init(easy.get()), &curl_mime_free);
  curl_mimepart* file = curl_mime_addpart(mime.get());
  curl_mime_name(file, "file");
  curl_mime_filename(file, "answer.wav");
  curl_mime_type(file, "audio/wav");
  curl_mime_data(file, wav.data(), wav.size());
  for (const auto& [name, value] : {std::pair<const char*, std::string>{"model", options_.model},
                                    {"language", "zh"},
                                    {"response_format", "json"}}) {
    curl_mimepart* part = curl_mime_addpart(mime.get());
    curl_mime_name(part, name);
    curl_mime_data(part, value.data(), value.size());
  }
  Headers headers = CommonHeaders(options_, nullptr);
  curl_easy_setopt(easy.get(), CURLOPT_MIMEPOST, mime.get());
  STEWARD_ASSIGN_OR_RETURN(
      Reply reply, Perform(easy.get(), options_, "/v1/audio/transcriptions", headers.get()));
  const auto json = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("text") || !json["text"].is_string()) {
    return Fail(ErrorCode::kUnavailable,
                "speech server /v1/audio/transcriptions: the answer has no \"text\"");
  }
  return json["text"].get<std::string>();
}

}  // namespace steward::voice
