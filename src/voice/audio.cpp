#include "voice/audio.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace steward::voice {
namespace {

uint32_t ReadLe32(std::string_view bytes, size_t at) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}
uint16_t ReadLe16(std::string_view bytes, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(bytes[at]) |
                               (static_cast<unsigned char>(bytes[at + 1]) << 8));
}
void WriteLe32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}
void WriteLe16(std::string& out, uint16_t value) {
  out += static_cast<char>(value & 0xFF);
  out += static_cast<char>(value >> 8);
}

int Segment(int value, const int (&ends)[8]) {
  for (int i = 0; i < 8; ++i) {
    if (value <= ends[i]) return i;
  }
  return 8;
}

}  // namespace

int64_t Audio::DurationMs() const {
  if (sample_rate <= 0 || channels <= 0) return 0;
  return static_cast<int64_t>(samples.size()) * 1000 / channels / sample_rate;
}

Result<Audio> ParseWav(std::string_view bytes) {
  if (bytes.size() < 12 || bytes.substr(0, 4) != "RIFF" || bytes.substr(8, 4) != "WAVE") {
    return Fail(ErrorCode::kInvalidArgument, "not a WAV file (no RIFF/WAVE header)");
  }
  Audio audio;
  bool have_format = false;
  for (size_t at = 12; at + 8 <= bytes.size();) {
    const std::string_view id = bytes.substr(at, 4);
    uint64_t size = ReadLe32(bytes, at + 4);
    const size_t body = at + 8;
    if (id == "fmt ") {
      if (size < 16 || body + 16 > bytes.size()) {
        return Fail(ErrorCode::kInvalidArgument, "WAV format chunk is too short");
      }
      const uint16_t format = ReadLe16(bytes, body);
      audio.channels = ReadLe16(bytes, body + 2);
      audio.sample_rate = static_cast<int>(ReadLe32(bytes, body + 4));
      const uint16_t bits = ReadLe16(bytes, body + 14);
      if ((format != 1 && format != 0xFFFE) || bits != 16) {
        return Fail(ErrorCode::kInvalidArgument, "WAV is not 16-bit PCM (format " +
                                                     std::to_string(format) + ", " +
                                                     std::to_string(bits) + " bits)");
      }
      if (audio.channels < 1 || audio.channels > 2 || audio.sample_rate < 4000 ||
          audio.sample_rate > 192000) {
        return Fail(ErrorCode::kInvalidArgument,
                    "WAV has " + std::to_string(audio.channels) + " channels at " +
                        std::to_string(audio.sample_rate) + " Hz; one or two channels expected");
      }
      have_format = true;
    } else if (id == "data") {
      if (!have_format)
        return Fail(ErrorCode::kInvalidArgument, "WAV data comes before its format");
      if (size == 0 || size == 0xFFFFFFFFu || body + size > bytes.size())
        size = bytes.size() - body;
      audio.samples.resize(size / 2);
      std::memcpy(audio.samples.data(), bytes.data() + body, audio.samples.size() * 2);
      return audio;
    }
    at = body + size + (size & 1);
  }
  return Fail(ErrorCode::kInvalidArgument, "WAV has no data chunk");
}

std::string WavBytes(const Audio& audio) {
  const auto data_size = static_cast<uint32_t>(audio.samples.size() * 2);
  std::string out;
  out.reserve(44 + data_size);
  out += "RIFF";
  WriteLe32(out, 36 + data_size);
  out += "WAVEfmt ";
  WriteLe32(out, 16);
  WriteLe16(out, 1);
  WriteLe16(out, static_cast<uint16_t>(audio.channels));
  WriteLe32(out, static_cast<uint32_t>(audio.sample_rate));
  WriteLe32(out, static_cast<uint32_t>(audio.sample_rate * audio.channels * 2));
  WriteLe16(out, static_cast<uint16_t>(audio.channels * 2));
  WriteLe16(out, 16);
  out += "data";
  WriteLe32(out, data_size);
  out.append(reinterpret_cast<const char*>(audio.samples.data()), data_size);
  return out;
}

Audio Resample(const Audio& audio, int to_rate) {
  if (audio.sample_rate == to_rate || audio.samples.empty()) {
    Audio same = audio;
    same.sample_rate = to_rate;
    return same;
  }
  const double from = audio.sample_rate;
  const double step = from / to_rate;  // input samples per output sample
  // Normalised cut-off (cycles per input sample) and the filter's half width in input samples.
  const double cutoff = 0.9 * 0.5 * std::min<double>(from, to_rate) / from;
  const double half_width = 8.0 / (2.0 * cutoff);
  const auto& in = audio.samples;
  const auto output_count = static_cast<size_t>(static_cast<double>(in.size()) / step);
  Audio out;
  out.sample_rate = to_rate;
  out.samples.resize(output_count);
  for (size_t n = 0; n < output_count; ++n) {
    const double centre = static_cast<double>(n) * step;
    const auto first = static_cast<int64_t>(std::ceil(centre - half_width));
    const auto last = static_cast<int64_t>(std::floor(centre + half_width));
    double sum = 0;
    for (int64_t k = std::max<int64_t>(first, 0); k <= last && k < static_cast<int64_t>(in.size());
         ++k) {
      const double x = static_cast<double>(k) - centre;
      const double arg = 2.0 * cutoff * x;
      const double sinc =
          arg == 0 ? 1.0 : std::sin(std::numbers::pi * arg) / (std::numbers::pi * arg);
      const double phase = (x + half_width) / (2.0 * half_width);  // 0..1 across the window
      const double blackman = 0.42 - 0.5 * std::cos(2 * std::numbers::pi * phase) +
                              0.08 * std::cos(4 * std::numbers::pi * phase);
      sum += in[static_cast<size_t>(k)] * 2.0 * cutoff * sinc * blackman;
    }
    out.samples[n] = static_cast<int16_t>(std::clamp(std::lround(sum), -32768L, 32767L));
  }
  return out;
}

Audio Interleave(const std::vector<int16_t>& left, const std::vector<int16_t>& right,
                 int sample_rate) {
  Audio out;
  out.sample_rate = sample_rate;
  out.channels = 2;
  const size_t frames = std::max(left.size(), right.size());
  out.samples.resize(frames * 2);
  for (size_t i = 0; i < frames; ++i) {
    out.samples[2 * i] = i < left.size() ? left[i] : 0;
    out.samples[2 * i + 1] = i < right.size() ? right[i] : 0;
  }
  return out;
}

double RmsLevel(const Audio& audio, int channel) {
  double sum = 0;
  size_t count = 0;
  for (size_t i = static_cast<size_t>(channel); i < audio.samples.size();
       i += static_cast<size_t>(audio.channels)) {
    sum += static_cast<double>(audio.samples[i]) * audio.samples[i];
    ++count;
  }
  return count == 0 ? 0 : std::sqrt(sum / static_cast<double>(count));
}

uint8_t LinearToAlaw(int16_t sample) {
  static constexpr int kEnds[8] = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};
  int value = sample >> 3;
  int mask = 0xD5;
  if (value < 0) {
    mask = 0x55;
    value = -value - 1;
  }
  const int segment = Segment(value, kEnds);
  if (segment >= 8) return static_cast<uint8_t>(0x7F ^ mask);
  int code = segment << 4;
  code |= segment < 2 ? (value >> 1) & 0x0F : (value >> segment) & 0x0F;
  return static_cast<uint8_t>(code ^ mask);
}

int16_t AlawToLinear(uint8_t code) {
  code ^= 0x55;
  int value = (code & 0x0F) << 4;
  const int segment = (code & 0x70) >> 4;
  if (segment == 0) {
    value += 8;
  } else {
    value += 0x108;
    value <<= segment - 1;
  }
  return static_cast<int16_t>((code & 0x80) ? value : -value);
}

uint8_t LinearToUlaw(int16_t sample) {
  static constexpr int kEnds[8] = {0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF};
  constexpr int kBias = 0x84;
  constexpr int kClip = 8159;
  int value = sample >> 2;
  int mask = 0xFF;
  if (value < 0) {
    value = -value;
    mask = 0x7F;
  }
  value = std::min(value, kClip) + (kBias >> 2);
  const int segment = Segment(value, kEnds);
  if (segment >= 8) return static_cast<uint8_t>(0x7F ^ mask);
  return static_cast<uint8_t>(((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask);
}

int16_t UlawToLinear(uint8_t code) {
  constexpr int kBias = 0x84;
  code = static_cast<uint8_t>(~code);
  int value = ((code & 0x0F) << 3) + kBias;
  value <<= (code & 0x70) >> 4;
  return static_cast<int16_t>((code & 0x80) ? kBias - value : value - kBias);
}

std::string Encode(const std::vector<int16_t>& samples, Codec codec) {
  std::string out(samples.size(), '\0');
  for (size_t i = 0; i < samples.size(); ++i) {
    out[i] = static_cast<char>(codec == Codec::kPcma ? LinearToAlaw(samples[i])
                                                     : LinearToUlaw(samples[i]));
  }
  return out;
}

std::vector<int16_t> Decode(std::string_view payload, Codec codec) {
  std::vector<int16_t> out(payload.size());
  for (size_t i = 0; i < payload.size(); ++i) {
    const auto code = static_cast<uint8_t>(payload[i]);
    out[i] = codec == Codec::kPcma ? AlawToLinear(code) : UlawToLinear(code);
  }
  return out;
}

}  // namespace steward::voice
