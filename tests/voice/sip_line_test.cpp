// The phone line against real SIP peers on loopback: SIPp (Debian's sip-tester) plays residents
// from the scenarios in tests/voice/sipp/ on free ports this test picks (never 5060/5070).
// These real-time tests wait on the wall clock by nature; each stays within a few seconds.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <numbers>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "voice/sip_line.hpp"

extern char** environ;

namespace steward::voice {
namespace {

using namespace std::chrono_literals;

// A UDP port nobody uses now (bound and released; a peer binds it right after).
uint16_t FreeUdpPort() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  const uint16_t port = ntohs(address.sin_port);
  return port == 5060 || port == 5070 ? FreeUdpPort() : port;
}

// Whether a UDP (SOCK_DGRAM) or TCP (SOCK_STREAM) port on loopback is bound by someone.
bool PortTaken(uint16_t port, int type) {
  const int fd = ::socket(AF_INET, type, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool taken = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0;
  ::close(fd);
  return taken;
}

// One SIPp process playing one resident (one call, then it exits: 0 when the scenario passed).
class SippResident {
 public:
  // `transport`: "u1" (UDP) or "t1" (TCP, one connection).
  explicit SippResident(const std::string& scenario, const std::string& transport = "u1")
      : port_(FreeUdpPort()), media_port_(FreeUdpPort()), transport_(transport) {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward-sipp-" + std::to_string(::getpid()) + "-" + std::to_string(port_));
    std::filesystem::create_directories(dir_);
    const std::vector<std::string> args = {
        "sipp",
        "-sf",
        std::string(STEWARD_SOURCE_DIR "/tests/voice/sipp/") + scenario,
        "-i",
        "127.0.0.1",
        "-p",
        std::to_string(port_),
        "-mi",
        "127.0.0.1",
        "-mp",
        std::to_string(media_port_),
        "-t",
        transport,
        "-m",
        "1",
        "-timeout",
        "20s",
        "-nostdin",
        "-trace_err",
        "-error_file",
        (dir_ / "errors.log").string(),
        "-trace_msg",
        "-message_file",
        (dir_ / "messages.log").string()};
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    const std::string log = (dir_ / "screen.log").string();
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    const int spawned = ::posix_spawnp(&pid_, "sipp", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(spawned, 0)
        << "sipp cannot be started (scripts/install-deps.sh --test installs sip-tester)";
    const int type = transport == "t1" ? SOCK_STREAM : SOCK_DGRAM;
    for (int i = 0; i < 200 && !PortTaken(port_, type); ++i) std::this_thread::sleep_for(10ms);
  }
  ~SippResident() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Uri() const {
    return "sip:resident@127.0.0.1:" + std::to_string(port_) +
           (transport_ == "t1" ? ";transport=tcp" : "");
  }

  // SIPp's exit code (0: every call of the scenario passed), or -1 if it did not end in time.
  int Wait(std::chrono::milliseconds limit = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }

  // The SIP messages SIPp sent and received.
  std::string Messages() const {
    std::ifstream in(dir_ / "messages.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // SIPp's errors and the SIP messages it sent and received, for failure messages.
  std::string Errors() const {
    std::stringstream text;
    for (const char* name : {"errors.log", "messages.log"}) {
      std::ifstream in(dir_ / name);
      text << in.rdbuf();
    }
    return text.str();
  }

 private:
  uint16_t port_;
  uint16_t media_port_;
  std::string transport_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

// What the line reported, in order.
class Events : public SipLineListener {
 public:
  void OnRinging(const std::string&) override { Add("ringing"); }
  void OnEarlyMedia(const std::string&) override { Add("early_media"); }
  void OnAnswered(const std::string&) override { Add("answered"); }
  void OnKey(const std::string&, char key) override { Add(std::string("key ") + key); }
  void OnPromptFinished(const std::string&) override { Add("prompt_finished"); }
  void OnHungUp(const std::string&, HungUpBy by, const std::string& recording) override {
    std::lock_guard lock(mutex_);
    recording_ = recording;
    AddLocked(by == HungUpBy::kRemote  ? "hung_up remote"
              : by == HungUpBy::kLocal ? "hung_up local"
                                       : "hung_up transferred");
  }
  void OnFailed(const std::string&, SipCallEnd end) override {
    Add("failed " + std::string(CallEndName(end.end)) + " " + std::to_string(end.status));
  }
  void OnSpeech(const std::string&, Audio utterance) override {
    std::lock_guard lock(mutex_);
    utterances_.push_back(std::move(utterance));
    AddLocked("speech");
  }
  std::vector<Audio> Utterances() {
    std::lock_guard lock(mutex_);
    return utterances_;
  }

  // Waits until an event starting with `prefix` arrives; false after `limit`.
  bool WaitFor(const std::string& prefix, std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] {
      for (const auto& event : events_) {
        if (event.starts_with(prefix)) return true;
      }
      return false;
    });
  }
  std::vector<std::string> All() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::string Recording() {
    std::lock_guard lock(mutex_);
    return recording_;
  }

 private:
  void Add(const std::string& event) {
    std::lock_guard lock(mutex_);
    AddLocked(event);
  }
  void AddLocked(const std::string& event) {
    events_.push_back(event);
    changed_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> events_;
  std::string recording_;
  std::vector<Audio> utterances_;
};

std::shared_ptr<const std::vector<int16_t>> Tone(int milliseconds) {
  auto samples = std::make_shared<std::vector<int16_t>>();
  for (int i = 0; i < milliseconds * 8; ++i) {
    samples->push_back(
        static_cast<int16_t>(8000 * std::sin(2 * std::numbers::pi * 440 * i / 8000.0)));
  }
  return samples;
}

std::string Joined(const std::vector<std::string>& events) {
  std::string text;
  for (const auto& event : events) text += event + "; ";
  return text;
}

class SipLineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    recordings_ = std::filesystem::temp_directory_path() /
                  ("steward-recordings-" + std::to_string(::getpid()));
    SipLineOptions options;
    options.recording_dir = recordings_.string();
    options.detect_speech = true;  // only answer_and_speak.xml sends audio: the others send keys
    line_ = std::make_unique<SipLine>(options, events_);
    const Status started = line_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    ASSERT_NE(line_->sip_port(), 0);
    ASSERT_NE(line_->sip_port(), 5060);
  }
  void TearDown() override {
    line_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(recordings_, ignored);
  }

  Events events_;
  std::filesystem::path recordings_;
  std::unique_ptr<SipLine> line_;
};

TEST_F(SipLineTest, AnsweredCallHearsKeyOneAndIsRecorded) {
  SippResident resident("answer_press_1.xml");
  line_->Dial("call-1", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("answered")) << Joined(events_.All());
  line_->Play("call-1", Tone(1500), false);
  ASSERT_TRUE(events_.WaitFor("key ")) << Joined(events_.All());
  ASSERT_TRUE(events_.WaitFor("prompt_finished")) << Joined(events_.All());
  line_->Hangup("call-1");
  ASSERT_TRUE(events_.WaitFor("hung_up")) << Joined(events_.All());
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();

  const auto all = events_.All();
  EXPECT_EQ(all, (std::vector<std::string>{"ringing", "answered", "key 1", "prompt_finished",
                                           "hung_up local"}));
  std::ifstream in(events_.Recording(), std::ios::binary);
  ASSERT_TRUE(in.is_open()) << "no recording at '" << events_.Recording() << "'";
  std::stringstream bytes;
  bytes << in.rdbuf();
  const auto recording = ParseWav(bytes.str());
  ASSERT_TRUE(recording.has_value()) << recording.error().ToString();
  EXPECT_EQ(recording->channels, 2);
  EXPECT_EQ(recording->sample_rate, 8000);
  EXPECT_GE(recording->DurationMs(), 1500);
  EXPECT_GT(RmsLevel(*recording, 0), 2000);  // Steward's prompt on the left
}

TEST_F(SipLineTest, CallsOverTcpWhenTheUriSaysSo) {
  SippResident resident("answer_press_1.xml", "t1");
  line_->Dial("call-10", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("answered")) << Joined(events_.All());
  line_->Play("call-10", Tone(1500), false);
  ASSERT_TRUE(events_.WaitFor("key ")) << Joined(events_.All());
  line_->Hangup("call-10");
  ASSERT_TRUE(events_.WaitFor("hung_up")) << Joined(events_.All());
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();
  EXPECT_EQ(events_.All(),
            (std::vector<std::string>{"ringing", "answered", "key 1", "hung_up local"}));
}

TEST_F(SipLineTest, BusyIsBusy) {
  SippResident resident("busy.xml");
  line_->Dial("call-2", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("failed")) << Joined(events_.All());
  EXPECT_EQ(events_.All().back(), "failed busy 486");
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();
}

TEST_F(SipLineTest, RingTimeoutCancels) {
  SippResident resident("no_answer.xml");
  line_->Dial("call-3", resident.Uri(), 1500);
  ASSERT_TRUE(events_.WaitFor("failed")) << Joined(events_.All());
  EXPECT_EQ(events_.All(), (std::vector<std::string>{"ringing", "failed no_answer 0"}));
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();
}

TEST_F(SipLineTest, GarbageResponsesAreIgnoredAndTheRingTimeoutEndsTheCall) {
  SippResident resident("garbage_responses.xml");
  line_->Dial("call-garbage", resident.Uri(), 1500);
  ASSERT_TRUE(events_.WaitFor("failed")) << Joined(events_.All());
  EXPECT_EQ(events_.All(), (std::vector<std::string>{"failed no_answer 0"}));
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();
}

// The local addresses of this process's UDP and TCP sockets (from /proc/net/*), as hex the kernel
// writes them ("0100007F" is 127.0.0.1).
std::vector<std::string> LocalAddressesOfOurSockets() {
  std::vector<std::string> inodes;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const std::string target = std::filesystem::read_symlink(fd.path(), error).string();
    if (!error && target.starts_with("socket:["))
      inodes.push_back(target.substr(8, target.size() - 9));
  }
  std::vector<std::string> addresses;
  for (const char* table : {"/proc/net/udp", "/proc/net/udp6", "/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (std::find(inodes.begin(), inodes.end(), inode) != inodes.end()) {
        addresses.push_back(local.substr(0, local.find(':')));
      }
    }
  }
  return addresses;
}

TEST_F(SipLineTest, EverySocketOfTheLineIsOnLoopback) {
  SippResident resident("hang_up_in_opening.xml");
  line_->Dial("call-loopback", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("answered")) << Joined(events_.All());
  const auto addresses = LocalAddressesOfOurSockets();
  ASSERT_TRUE(events_.WaitFor("hung_up")) << Joined(events_.All());
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();
  ASSERT_GE(addresses.size(), 3u);  // SIP over UDP and TCP, the call's RTP
  for (const auto& address : addresses) {
    // 127.0.0.1, or ::1 / ::ffff:127.0.0.1 in a v6 table; never 0.0.0.0 or ::.
    EXPECT_TRUE(address == "0100007F" || address == "00000000000000000000000001000000" ||
                address == "0000000000000000FFFF00000100007F")
        << "a socket on " << address;
  }
}

TEST_F(SipLineTest, WhatTheResidentSaysIsCutIntoUtterances) {
  SippResident resident("answer_and_speak.xml");
  line_->Dial("call-speak", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("answered")) << Joined(events_.All());
  // SIPp's recording: 7 s of a voice with pauses, 600 ms after the answer; then the trailing
  // silence that ends the last utterance.
  std::this_thread::sleep_for(9s);
  line_->Hangup("call-speak");
  ASSERT_TRUE(events_.WaitFor("hung_up")) << Joined(events_.All());
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();
  const auto utterances = events_.Utterances();
  ASSERT_GE(utterances.size(), 1u) << Joined(events_.All());
  int64_t heard_ms = 0;
  for (const auto& utterance : utterances) {
    EXPECT_EQ(utterance.sample_rate, kTelephoneRate);
    EXPECT_GE(utterance.DurationMs(), 300);
    EXPECT_LE(utterance.DurationMs(), 10000);
    EXPECT_GT(RmsLevel(utterance), 300) << "an utterance is speech, not the line's silence";
    heard_ms += utterance.DurationMs();
  }
  // Each utterance carries at most its pre-roll and trailing silence beyond the recording's 7 s.
  EXPECT_LE(heard_ms, 7050 + static_cast<int64_t>(utterances.size()) * 900);
  EXPECT_GE(heard_ms, 1000);
}

TEST_F(SipLineTest, WrongKeyThenTheRightOneAreBothHeard) {
  SippResident resident("wrong_key_then_1.xml");
  line_->Dial("call-4", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("answered")) << Joined(events_.All());
  ASSERT_TRUE(events_.WaitFor("key 1")) << Joined(events_.All());
  line_->Hangup("call-4");
  ASSERT_TRUE(events_.WaitFor("hung_up")) << Joined(events_.All());
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();
  EXPECT_EQ(events_.All(),
            (std::vector<std::string>{"ringing", "answered", "key 3", "key 1", "hung_up local"}));
}

TEST_F(SipLineTest, KeyBySipInfo) {
  SippResident resident("info_key_5.xml");
  line_->Dial("call-5", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("key ")) << Joined(events_.All());
  line_->Hangup("call-5");
  ASSERT_TRUE(events_.WaitFor("hung_up")) << Joined(events_.All());
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();
  EXPECT_EQ(events_.All(),
            (std::vector<std::string>{"ringing", "answered", "key 5", "hung_up local"}));
}

TEST_F(SipLineTest, ResidentHangsUpDuringTheOpening) {
  SippResident resident("hang_up_in_opening.xml");
  line_->Dial("call-6", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("answered")) << Joined(events_.All());
  line_->Play("call-6", Tone(5000), false);  // an opening longer than the resident's patience
  ASSERT_TRUE(events_.WaitFor("hung_up")) << Joined(events_.All());
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();
  EXPECT_EQ(events_.All(), (std::vector<std::string>{"ringing", "answered", "hung_up remote"}));
  EXPECT_TRUE(std::filesystem::exists(events_.Recording())) << events_.Recording();
}

TEST_F(SipLineTest, EarlyMediaIsHeardAndRecordedBeforeTheAnswer) {
  SippResident resident("early_media.xml");
  line_->Dial("call-7", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("answered")) << Joined(events_.All());
  ASSERT_TRUE(events_.WaitFor("key 1")) << Joined(events_.All());
  line_->Hangup("call-7");
  ASSERT_TRUE(events_.WaitFor("hung_up")) << Joined(events_.All());
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();
  EXPECT_EQ(events_.All(),
            (std::vector<std::string>{"early_media", "answered", "key 1", "hung_up local"}));
  std::ifstream in(events_.Recording(), std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const auto recording = ParseWav(bytes.str());
  ASSERT_TRUE(recording.has_value()) << recording.error().ToString();
  // The 1.5 s of early media before the answer are in the recording, then the ~0.6 s to key 1
  // (without the early media it would last about 0.6 s). Under a loaded machine the line's 20 ms
  // tick falls a few frames behind: once, in make test, 2,080 ms where 2,100 were sent.
  EXPECT_GE(recording->DurationMs(), 1500 + 400);
}

TEST_F(SipLineTest, UnusableSdpAnswerEndsTheCallAtOnce) {
  SippResident resident("malformed_sdp.xml");
  line_->Dial("call-8", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("failed")) << Joined(events_.All());
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();  // it got our ACK and BYE
  EXPECT_EQ(events_.All(), (std::vector<std::string>{"ringing", "failed network 200"}));
}

TEST_F(SipLineTest, TransferByReferLeavesOnceTheTargetAnswered) {
  SippResident resident("accept_refer.xml");
  line_->Dial("call-9", resident.Uri(), 10000);
  ASSERT_TRUE(events_.WaitFor("answered")) << Joined(events_.All());
  line_->Transfer("call-9", "sip:057812345@127.0.0.1:9");  // the social worker's desk phone
  ASSERT_TRUE(events_.WaitFor("hung_up")) << Joined(events_.All());
  EXPECT_EQ(resident.Wait(), 0) << resident.Errors();  // REFER with the target, BYE after NOTIFY
  EXPECT_EQ(events_.All(),
            (std::vector<std::string>{"ringing", "answered", "hung_up transferred"}));
}

TEST(SipLineProcess, OneLineAtATime) {
  Events events;
  SipLine first(SipLineOptions{}, events);
  SipLine second(SipLineOptions{}, events);
  ASSERT_TRUE(first.Start().has_value());
  EXPECT_FALSE(second.Start().has_value());
  first.Stop();
  EXPECT_TRUE(second.Start().has_value());
}

TEST(SipLineRegistration, RegistersAnsweringTheDigestChallenge) {
  SippResident registrar("registrar_digest.xml");
  Events events;
  SipLineOptions options;
  options.from_user = "1001";
  options.auth_user = "1001";
  options.auth_password = "s3cret";
  options.registrar = registrar.Uri().substr(std::string_view("sip:resident@").size());
  options.registrar = "sip:" + options.registrar;
  SipLine line(options, events);
  ASSERT_TRUE(line.Start().has_value());
  for (int i = 0; i < 500 && !line.registered(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(line.registered());
  EXPECT_EQ(registrar.Wait(), 0) << registrar.Errors();  // it verified our digest response
}

TEST(SipLineRegistration, AWrongPasswordIsNotRegistered) {
  SippResident registrar("registrar_digest.xml");
  Events events;
  SipLineOptions options;
  options.from_user = "1001";
  options.auth_user = "1001";
  options.auth_password = "wrong";
  options.registrar = "sip:" + registrar.Uri().substr(std::string_view("sip:resident@").size());
  SipLine line(options, events);
  ASSERT_TRUE(line.Start().has_value());
  EXPECT_NE(registrar.Wait(), 0);  // 403: the scenario fails
  EXPECT_FALSE(line.registered());
}

// A call through a peer that challenges the INVITE, as user 1001 with password s3cret: answered,
// a prompt, key 1, our hang-up. Its own SipLine (a plain TEST: one line per process).
void CallThroughAChallenge(SippResident& peer) {
  SipLineOptions options;
  options.auth_user = "1001";
  options.auth_password = "s3cret";
  Events events;
  SipLine line(options, events);
  ASSERT_TRUE(line.Start().has_value());
  line.Dial("call-challenged", peer.Uri(), 10000);
  ASSERT_TRUE(events.WaitFor("answered")) << Joined(events.All()) << peer.Errors();
  line.Play("call-challenged", Tone(1500), false);
  ASSERT_TRUE(events.WaitFor("key ")) << Joined(events.All());
  line.Hangup("call-challenged");
  ASSERT_TRUE(events.WaitFor("hung_up")) << Joined(events.All());
  EXPECT_EQ(peer.Wait(), 0) << peer.Errors();
  EXPECT_EQ(events.All(),
            (std::vector<std::string>{"ringing", "answered", "key 1", "hung_up local"}));
}

TEST(SipLineDigest, AnswersTheTrunksDigestChallengeToTheInvite) {
  SippResident trunk("invite_digest.xml");
  CallThroughAChallenge(trunk);
}

// Lower-case hex MD5 (RFC 2617's digest).
std::string Md5Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_md5(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

// A parameter of a digest header line: name="value" or name=value.
std::string DigestParam(const std::string& header, const std::string& name) {
  const std::regex pattern("[ ,]" + name + "=\"?([^\",]*)\"?");
  std::smatch match;
  return std::regex_search(header, match, pattern) ? match[1].str() : "";
}

TEST(SipLineDigest, AnswersAProxysChallengeWithTheRightDigest) {
  SippResident proxy("invite_proxy_digest.xml");
  CallThroughAChallenge(proxy);
  if (HasFatalFailure()) return;
  // RFC 2617 without qop: MD5(MD5(user:realm:password):nonce:MD5(INVITE:uri)).
  std::smatch found;
  const std::string messages = proxy.Messages();
  ASSERT_TRUE(std::regex_search(messages, found, std::regex("Proxy-Authorization: *([^\r\n]*)")))
      << messages;
  const std::string header = " " + found[1].str();
  EXPECT_EQ(DigestParam(header, "username"), "1001");
  EXPECT_EQ(DigestParam(header, "realm"), "proxy.test");
  EXPECT_EQ(DigestParam(header, "nonce"), "6ac9f0e1d2b3a4c5d6e7f8091a2b");
  const std::string uri = DigestParam(header, "uri");
  EXPECT_EQ(uri, proxy.Uri());
  const std::string expected = Md5Hex(Md5Hex("1001:proxy.test:s3cret") + ":" +
                                      "6ac9f0e1d2b3a4c5d6e7f8091a2b:" + Md5Hex("INVITE:" + uri));
  EXPECT_EQ(DigestParam(header, "response"), expected) << header;
}

}  // namespace
}  // namespace steward::voice
