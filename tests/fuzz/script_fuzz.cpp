// Fuzzes the script reader and checker (scripts arrive through the API) and the Chinese answer
// understanding (transcripts come from an ASR server): any bytes as a script's JSON and as a
// transcript. Each must return a value or an error, never crash or hang; a script that reads must
// round-trip through ScriptToJson, and one the checker passes must run a simulated call to an end.
#include <cstddef>
#include <cstdint>
#include <string>

#include "campaign/script.hpp"
#include "campaign/script_check.hpp"
#include "campaign/simulator.hpp"
#include "campaign/understand.hpp"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steward::campaign;
  const std::string text(reinterpret_cast<const char*>(data), size);
  UnderstandYesNo(text);
  IsRepeatRequest(text);
  FindNumber(text);
  if (auto time = UnderstandTime(text)) {
    Check(time->hour >= -1 && time->hour < 24 && time->minute >= 0 && time->minute < 60);
  }
  auto script = ParseScriptText(text);
  if (!script) {
    Check(script.error().code == steward::ErrorCode::kInvalidArgument);
    Check(!script.error().details.empty());
    return 0;
  }
  const nlohmann::json once = ScriptToJson(*script);
  auto again = ParseScript(once);
  Check(again.has_value() && ScriptToJson(*again) == once);
  const auto findings = CheckScript(*script);
  if (HasErrors(findings)) return 0;
  const CallResult result = SimulateCall(*script, {}, Persona{PersonaKind::kQuick}, 1);
  Check(IsAnswered(result.outcome));
  Check(result.ended_at_ms > 0);
  return 0;
}
