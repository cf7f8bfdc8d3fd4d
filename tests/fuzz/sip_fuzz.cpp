// Fuzzes what the phone line reads in SIP traffic besides RTP (rtp_fuzz.cpp): any bytes as a SIP
// datagram (libre's decoder, then the line's readers of INFO keys, NOTIFY sipfrag and SDP
// bodies), as an SDP answer to our offer, and as a sipfrag. Nothing may crash, hang or leak; an
// answer is only taken with a real address and port, only keys that exist come out, and a status
// code that does not exist is only ever a network failure.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "voice/internal/sip_wire.hpp"
#include "voice/sip_status.hpp"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool IsKey(char key) {
  return (key >= '0' && key <= '9') || key == '*' || key == '#' || (key >= 'A' && key <= 'D');
}

void CheckMedia(const steward::voice::internal::AnswerMedia& media) {
  Check(media.port != 0);
  Check(!media.host.empty() && media.host != "0.0.0.0");
  Check(media.negotiated.event_payload_type >= 0 && media.negotiated.event_payload_type <= 127);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steward::voice;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto reading = internal::ReadSipDatagram(bytes)) {
    // libre reads any "X/2.0 NNNN …" as a response, codes up to 65535: one outside 100..699 is
    // never taken for what a resident did (busy, declined, a wrong number), only a retryable
    // network failure.
    if (reading->request) {
      Check(!reading->method.empty());
    } else if (reading->status < 100 || reading->status > 699) {
      Check(CallEndForStatus(reading->status) == CallEnd::kNetwork);
    }
    if (reading->key) Check(IsKey(*reading->key));
    Check(reading->sipfrag_status == 0 ||
          (reading->sipfrag_status >= 100 && reading->sipfrag_status <= 699));
    if (reading->media) CheckMedia(*reading->media);
  }
  for (Codec preferred : {Codec::kPcma, Codec::kPcmu}) {
    if (auto media = internal::ReadSdpAnswer(bytes, preferred)) CheckMedia(*media);
  }
  const int status = internal::SipfragStatus(bytes);
  Check(status == 0 || (status >= 100 && status <= 699));
  return 0;
}
