// Fuzzes what the phone line reads off the network about keys and audio: any bytes as an RTP
// datagram (ParseRtp), its payload as an RFC 4733 telephone-event fed to a DtmfReceiver, and
// the bytes as a SIP INFO body of both DTMF content types. Nothing may read past the input,
// crash or hang; a payload is always inside the datagram; a key is always a keypad key.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "voice/rtp.hpp"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool IsKey(char key) {
  return (key >= '0' && key <= '9') || key == '*' || key == '#' || (key >= 'A' && key <= 'D');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto packet = steward::voice::ParseRtp(bytes)) {
    Check(packet->payload.data() >= bytes.data() &&
          packet->payload.data() + packet->payload.size() <= bytes.data() + bytes.size());
    // Rebuilt without CSRCs, extension or padding, the packet reads back the same.
    const std::string built = steward::voice::BuildRtp(packet->header, packet->payload);
    const auto rebuilt = steward::voice::ParseRtp(built);
    Check(rebuilt && rebuilt->payload == packet->payload &&
          rebuilt->header.sequence == packet->header.sequence &&
          rebuilt->header.timestamp == packet->header.timestamp &&
          rebuilt->header.marker == packet->header.marker);
    if (auto event = steward::voice::ParseTelephoneEvent(packet->payload)) {
      steward::voice::DtmfReceiver receiver;
      const char first = receiver.OnPacket(packet->header, *event);
      Check(first == '\0' || IsKey(first));
      Check(receiver.OnPacket(packet->header, *event) == '\0');  // a duplicate never counts twice
    }
  }
  for (std::string_view type : {"application/dtmf-relay", "application/dtmf"}) {
    if (auto key = steward::voice::ParseDtmfInfo(type, bytes)) Check(IsKey(*key));
  }
  return 0;
}
