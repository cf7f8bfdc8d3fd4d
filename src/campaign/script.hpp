// Scripts (话术): the dialogue a call follows, as versioned JSON data.
//
// A script is a list of nodes reached from `start`: `say` (a prompt), `ask` (a question answered
// by keypad and, where ASR is configured, by speech), `branch` (on a slot's value), `set` (a slot),
// `transfer` (to a person's phone) and `hangup`. The JSON form is described by
// api/script.schema.json; ParseScript reads it (shape errors name the JSON path), CheckScript
// (script_check.cpp) finds what would go wrong in a call. Every script opens with a prompt that
// cannot be interrupted (who calls, that the call is recorded) and works by keypad alone.
// Messages are "中文 / English", as every API error. Thread-safety: plain values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "campaign/channel.hpp"

namespace steward::campaign {

enum class NodeType { kSay, kAsk, kBranch, kSet, kTransfer, kHangup };

// How a spoken answer to an ask is understood besides its own keywords (understand.hpp).
enum class Understanding {
  kNone,
  kYesNo,   // 需要/不需要/好的/没空…: maps to the ask's values "yes" and "no"
  kNumber,  // 三十五, 两千: the number becomes the value
  kTime,    // 下午两点, 明天上午: "HH:MM" or a period ("morning") becomes the value
};

// A spoken answer meaning `value`: any keyword contained in the transcript, or any regular
// expression (ECMAScript) matching part of it.
struct SpeechIntent {
  std::string value;
  std::vector<std::string> keywords;
  std::vector<std::string> patterns;
};

// An answer that changes a fact about the resident: proposed to the registry as a pending change
// for a person to review, never written directly.
struct FieldUpdate {
  std::string field;  // e.g. "residence_status", "tag:lives_alone", "phone"
  std::string value;
  bool personal = false;  // value is a phone number: stored sealed, shown and logged masked
};

// An ask that takes a string of keys (a new phone number, a count) instead of one choice: keys up
// to `max_length`, ended early by `end_key` or by `inter_digit_ms` of silence after the last one.
// Fewer than `min_length`, or not a `format` ("phone": a mainland mobile or landline), is a
// no-match. A spoken answer (with ASR) is read digit by digit (幺三八…).
struct DigitEntry {
  int min_length = 1;
  int max_length = 11;
  char end_key = '#';
  std::string format;  // "" (any digits) or "phone"
  int inter_digit_ms = 5000;
};

// The value of a keypad choice that replays the question instead of answering it.
inline constexpr const char* kRepeatValue = "repeat";

struct Node {
  std::string id;
  NodeType type = NodeType::kSay;
  // say, ask, transfer, hangup: what is said (variables as {{name}}), or a recorded prompt.
  std::string text;
  std::string recording;
  bool interruptible = true;  // say only; an ask is always interruptible
  std::string next;           // say, ask, set
  // ask
  std::string slot;
  std::vector<KeyOption> keys;
  std::vector<SpeechIntent> speech;
  Understanding understand = Understanding::kNone;
  int timeout_ms = 8000;      // waiting for input after the question finished
  std::string no_input_text;  // said before repeating the question when nothing came
  std::string no_match_text;  // said before repeating it when the input meant nothing
  int max_retries = 2;        // no-input and no-match repeats before on_fail
  std::string on_fail;        // where to go when retries are used up (empty: end the call)
  std::string label;          // the answer's name in ledgers ("体温"); slot if empty
  std::map<std::string, std::string> labels;  // value -> how ledgers show it ("normal" -> "正常")
  std::map<std::string, std::string> follow_up;  // value -> door-visit task text
  std::map<std::string, FieldUpdate> updates;    // value -> proposed registry change
  std::optional<DigitEntry> digits;              // set: the ask takes a string of keys, not `keys`
  std::string update_field;  // a digits ask: its answer proposed as this field ("phone")
  // branch: slot value -> node; `otherwise` when none matches (also for a missing slot)
  std::vector<std::pair<std::string, std::string>> cases;
  std::string otherwise;
  // set: slot = value
  std::string value;
  // transfer
  std::string phone;
};

// A campaign-supplied variable a script uses as {{campaign.NAME}} (e.g. the date of a check-up).
struct CampaignField {
  std::string name;
  std::string label;
};

// How an answered slot reads in a ledger: the question's name and each value's (see Node).
struct AnswerLabels {
  std::string label;
  std::map<std::string, std::string> values;  // value -> label; absent values show as themselves
  const std::string& Of(const std::string& value) const {
    auto it = values.find(value);
    return it == values.end() ? value : it->second;
  }
};

struct Script {
  std::string name;      // stable key, [a-z0-9_]
  std::string title;     // shown to staff
  std::string scenario;  // epidemic, election, health_check, notice, survey, verification, other
  std::string description;
  char opt_out_key = '*';  // pressed in any ask: the resident is put on the do-not-call list
  std::string start;
  std::vector<CampaignField> fields;
  std::vector<Node> nodes;

  const Node* Find(const std::string& id) const;
  // How ledgers and statistics name each asked slot and its values, from the first ask filling
  // it: its label (else the slot) and its labels (a value without one shows as itself).
  std::map<std::string, AnswerLabels> AnswerLabelsBySlot() const;
};

// Reads a script's JSON. Shape errors (missing or mistyped members, unknown node types, bad
// digits) come back as kInvalidArgument with one detail per problem, `field` the JSON path
// ("nodes[2].keys.7"). Graph problems are left to CheckScript.
Result<Script> ParseScript(const nlohmann::json& json);
Result<Script> ParseScriptText(const std::string& text);
nlohmann::json ScriptToJson(const Script& script);

std::string_view NodeTypeName(NodeType type);

}  // namespace steward::campaign
