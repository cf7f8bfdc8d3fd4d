// Protocol tests of the speech plug-ins: HttpTts and HttpAsr against a small local server that
// speaks the OpenAI-compatible protocol (tests/voice/openai_speech_server.py) and checks what it
// receives: the TTS request's fields, and the ASR upload's sample rate, channels, duration and
// that it is not silence. The server answers transcriptions from tests/cases/asr_answers.tsv
// (a tone's frequency stands for what a resident said). Loopback only, a free port.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string>
#include <vector>

#include "voice/http_speech.hpp"

extern char** environ;

namespace steward::voice {
namespace {

// The server, on a free loopback port, logging every request to a JSON-lines file.
class SpeechServer {
 public:
  explicit SpeechServer(const std::string& api_key = "") {
    log_ =
        std::filesystem::temp_directory_path() / ("steward-speech-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(++count_) + ".jsonl");
    std::filesystem::remove(log_);
    std::vector<std::string> args = {
        "python3", STEWARD_SOURCE_DIR "/tests/voice/openai_speech_server.py",
        "--table", STEWARD_SOURCE_DIR "/tests/cases/asr_answers.tsv",
        "--log",   log_.string()};
    if (!api_key.empty()) {
      args.push_back("--api-key");
      args.push_back(api_key);
    }
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int out[2];
    EXPECT_EQ(::pipe(out), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    EXPECT_EQ(::posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    FILE* read_end = ::fdopen(out[0], "r");
    char line[64] = {};
    if (read_end && std::fgets(line, sizeof line, read_end)) std::sscanf(line, "PORT %d", &port_);
    if (read_end) std::fclose(read_end);
    EXPECT_GT(port_, 0) << "the speech server did not start";
  }
  ~SpeechServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove(log_);
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The requests the server saw, as it logged them.
  std::vector<nlohmann::json> Requests() const {
    std::vector<nlohmann::json> requests;
    std::ifstream in(log_);
    for (std::string line; std::getline(in, line);) requests.push_back(nlohmann::json::parse(line));
    return requests;
  }

 private:
  static inline int count_ = 0;
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

Audio Tone(double hz, int milliseconds, double amplitude = 8000) {
  Audio audio;
  for (int i = 0; i < milliseconds * 8; ++i) {
    audio.samples.push_back(
        static_cast<int16_t>(amplitude * std::sin(2 * std::numbers::pi * hz * i / 8000.0)));
  }
  return audio;
}

TEST(SpeechProtocolTest, TtsSendsTheTextWholeAndGetsTelephoneAudioBack) {
  SpeechServer server("secret");
  HttpTts tts({.url = server.Url(), .model = "tts-zh", .voice = "female-1", .api_key = "secret"});
  const std::string text = "王阿姨您好，请按1";  // 9 characters
  auto audio = tts.Synthesize(text);
  ASSERT_TRUE(audio.has_value()) << audio.error().ToString();
  EXPECT_EQ(audio->sample_rate, kTelephoneRate);
  EXPECT_EQ(audio->channels, 1);
  // The server speaks 0.1 s per character, with 50 ms of silence on each side.
  EXPECT_NEAR(static_cast<double>(audio->DurationMs()), 900 + 100, 5);
  EXPECT_GT(RmsLevel(*audio), 3000);
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["verdict"], "ok");
  EXPECT_EQ(requests[0]["request"]["input"], text);  // as rendered: the server normalises itself
  EXPECT_EQ(requests[0]["request"]["model"], "tts-zh");
  EXPECT_EQ(requests[0]["request"]["voice"], "female-1");
  EXPECT_NE(tts.VoiceId(), HttpTts({.url = server.Url(), .voice = "male-2"}).VoiceId());
}

TEST(SpeechProtocolTest, AsrUploadsSixteenKilohertzMonoAndReadsTheText) {
  SpeechServer server;
  HttpAsr asr({.url = server.Url(), .model = "whisper-zh"});
  auto heard = asr.Transcribe(Tone(660, 1200));
  ASSERT_TRUE(heard.has_value()) << heard.error().ToString();
  EXPECT_EQ(*heard, "知道了");
  heard = asr.Transcribe(Tone(880, 800));
  ASSERT_TRUE(heard.has_value()) << heard.error().ToString();
  EXPECT_EQ(*heard, "不需要了");
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["rate"], 16000);
  EXPECT_EQ(requests[0]["channels"], 1);
  EXPECT_NEAR(requests[0]["seconds"].get<double>(), 1.2, 0.01);
  EXPECT_EQ(requests[0]["fields"]["model"], "whisper-zh");
  EXPECT_EQ(requests[0]["fields"]["language"], "zh");
  EXPECT_EQ(requests[0]["file_type"], "audio/wav");
}

TEST(SpeechProtocolTest, SilenceIsRefusedAndTheErrorSaysSoWithoutTheAudio) {
  SpeechServer server;
  HttpAsr asr({.url = server.Url(), .model = "whisper-zh"});
  auto heard = asr.Transcribe(Tone(660, 1000, 20));
  ASSERT_FALSE(heard.has_value());
  EXPECT_EQ(heard.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(heard.error().message.find("HTTP 400"), std::string::npos) << heard.error().message;
  ASSERT_EQ(server.Requests().size(), 1u);
  EXPECT_EQ(server.Requests()[0]["verdict"], "silence");
}

TEST(SpeechProtocolTest, AWrongKeyAndAServerThatIsDownAreClearErrors) {
  SpeechServer server("secret");
  HttpTts wrong_key({.url = server.Url(), .model = "m", .voice = "v", .api_key = "guess"});
  auto audio = wrong_key.Synthesize("您好");
  ASSERT_FALSE(audio.has_value());
  EXPECT_NE(audio.error().message.find("HTTP 401"), std::string::npos) << audio.error().message;
  EXPECT_EQ(audio.error().message.find("您好"), std::string::npos);  // never the text
  // A port nobody listens on: refused at once.
  HttpAsr down({.url = "http://127.0.0.1:1", .model = "m", .timeout = std::chrono::seconds(3)});
  auto heard = down.Transcribe(Tone(660, 500));
  ASSERT_FALSE(heard.has_value());
  EXPECT_EQ(heard.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace steward::voice
