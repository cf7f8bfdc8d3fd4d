#include "campaign/script.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace steward::campaign {
namespace {

constexpr const char* kMessage = "话术格式有误 / invalid script";

constexpr std::array<std::pair<NodeType, std::string_view>, 6> kNodeTypes = {{
    {NodeType::kSay, "say"},
    {NodeType::kAsk, "ask"},
    {NodeType::kBranch, "branch"},
    {NodeType::kSet, "set"},
    {NodeType::kTransfer, "transfer"},
    {NodeType::kHangup, "hangup"},
}};

constexpr std::array<std::pair<Understanding, std::string_view>, 4> kUnderstandings = {{
    {Understanding::kNone, "none"},
    {Understanding::kYesNo, "yes_no"},
    {Understanding::kNumber, "number"},
    {Understanding::kTime, "time"},
}};

bool IsKeyName(const std::string& text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsDigitKey(const std::string& text) {
  return text.size() == 1 &&
         ((text[0] >= '0' && text[0] <= '9') || text[0] == '*' || text[0] == '#');
}

// Collects shape errors while reading; every getter returns a usable default on error.
class Reader {
 public:
  std::vector<ErrorDetail> details;

  void Problem(const std::string& path, const std::string& code, const std::string& message) {
    details.push_back({path, code, message});
  }

  std::string Text(const nlohmann::json& object, const char* key, const std::string& path,
                   bool required) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required) Problem(path + "." + key, "required", "必填 / required");
      return {};
    }
    if (!it->is_string()) {
      Problem(path + "." + key, "type", "应为文字 / must be a string");
      return {};
    }
    return it->get<std::string>();
  }

  int Integer(const nlohmann::json& object, const char* key, const std::string& path, int fallback,
              int low, int high) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_number_integer() || it->get<int64_t>() < low || it->get<int64_t>() > high) {
      Problem(path + "." + key, "range",
              "应为 " + std::to_string(low) + " 到 " + std::to_string(high) +
                  " 的整数 / must be an integer from " + std::to_string(low) + " to " +
                  std::to_string(high));
      return fallback;
    }
    return static_cast<int>(it->get<int64_t>());
  }

  bool Boolean(const nlohmann::json& object, const char* key, const std::string& path,
               bool fallback) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) {
      Problem(path + "." + key, "type", "应为 true 或 false / must be true or false");
      return fallback;
    }
    return it->get<bool>();
  }

  std::vector<std::string> Strings(const nlohmann::json& value, const std::string& path) {
    std::vector<std::string> out;
    if (!value.is_array()) {
      Problem(path, "type", "应为文字列表 / must be a list of strings");
      return out;
    }
    for (size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_string() || value[i].get<std::string>().empty()) {
        Problem(path + "[" + std::to_string(i) + "]", "type",
                "应为非空文字 / must be a non-empty string");
      } else {
        out.push_back(value[i].get<std::string>());
      }
    }
    return out;
  }

  // An object of non-empty texts by key ({"normal": "正常"}); empty when absent.
  std::map<std::string, std::string> TextMap(const nlohmann::json& object, const char* key,
                                             const std::string& path, const char* expected) {
    std::map<std::string, std::string> out;
    const nlohmann::json* found = Object(object, key, path);
    if (!found) return out;
    for (const auto& [name, value] : found->items()) {
      if (!value.is_string() || value.get<std::string>().empty()) {
        Problem(path + "." + key + "." + name, "type", expected);
      } else {
        out[name] = value.get<std::string>();
      }
    }
    return out;
  }

  const nlohmann::json* Object(const nlohmann::json& object, const char* key,
                               const std::string& path) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    if (!it->is_object()) {
      Problem(path + "." + key, "type", "应为对象 / must be an object");
      return nullptr;
    }
    return &*it;
  }
};

void ReadAsk(Reader& reader, const nlohmann::json& json, const std::string& path, Node& node) {
  node.slot = reader.Text(json, "slot", path, true);
  if (!node.slot.empty() && !IsKeyName(node.slot)) {
    reader.Problem(path + ".slot", "name", "只能用小写字母、数字和下划线 / only a-z, 0-9 and _");
  }
  if (const auto* digits = reader.Object(json, "digits", path)) {
    const std::string digits_path = path + ".digits";
    DigitEntry entry;
    entry.min_length = reader.Integer(*digits, "min", digits_path, 1, 1, 20);
    entry.max_length = reader.Integer(*digits, "max", digits_path, 11, 1, 20);
    if (entry.min_length > entry.max_length) {
      reader.Problem(digits_path + ".min", "range", "min 不能大于 max / min exceeds max");
    }
    const std::string end_key = reader.Text(*digits, "end_key", digits_path, false);
    if (!end_key.empty()) {
      if (end_key != "#" && end_key != "*") {
        reader.Problem(digits_path + ".end_key", "digit",
                       "结束键只能是 # 或 * / the end key is # or *");
      } else {
        entry.end_key = end_key[0];
      }
    }
    entry.format = reader.Text(*digits, "format", digits_path, false);
    if (!entry.format.empty() && entry.format != "phone") {
      reader.Problem(digits_path + ".format", "enum", "应为 phone / must be phone");
    }
    entry.inter_digit_ms =
        reader.Integer(*digits, "inter_digit_ms", digits_path, 5000, 1000, 20000);
    for (const auto& [key, unused] : digits->items()) {
      if (key != "min" && key != "max" && key != "end_key" && key != "format" &&
          key != "inter_digit_ms") {
        reader.Problem(digits_path + "." + key, "unknown", "不认识的字段 / unknown member");
      }
    }
    node.digits = entry;
    if (json.contains("keys")) {
      reader.Problem(path + ".keys", "conflict",
                     "按键输入（digits）的问题没有按键选项 / an ask with digits has no keys");
    }
    node.update_field = reader.Text(json, "update_field", path, false);
    if (!node.update_field.empty() && node.update_field != "phone") {
      reader.Problem(path + ".update_field", "enum",
                     "按键输入只能更新 phone / digits can update the phone only");
    } else if (!node.update_field.empty() && entry.format != "phone") {
      reader.Problem(path + ".update_field", "format",
                     "更新电话须用 format: phone / updating the phone needs format phone");
    }
  } else if (json.contains("update_field")) {
    reader.Problem(path + ".update_field", "conflict",
                   "update_field 只用于按键输入（digits） / update_field is for digits asks");
  } else if (const auto* keys = reader.Object(json, "keys", path)) {
    for (const auto& [digit, value] : keys->items()) {
      const std::string key_path = path + ".keys." + digit;
      if (!IsDigitKey(digit)) {
        reader.Problem(key_path, "digit", "按键只能是 0-9、* 或 # / a key is one of 0-9 * #");
      } else if (!value.is_string() || value.get<std::string>().empty()) {
        reader.Problem(key_path, "type", "应为非空文字 / must be a non-empty string");
      } else {
        node.keys.push_back({digit[0], value.get<std::string>()});
      }
    }
  } else {
    reader.Problem(path + ".keys", "required",
                   "问题必须有按键选项或 digits / an ask needs keys or digits");
  }
  if (const auto* speech = reader.Object(json, "speech", path)) {
    for (const auto& [value, words] : speech->items()) {
      SpeechIntent intent{value, {}, {}};
      for (auto& word : reader.Strings(words, path + ".speech." + value)) {
        if (word.rfind("re:", 0) == 0) {
          intent.patterns.push_back(word.substr(3));
        } else {
          intent.keywords.push_back(std::move(word));
        }
      }
      node.speech.push_back(std::move(intent));
    }
  }
  const std::string understand = reader.Text(json, "understand", path, false);
  if (!understand.empty()) {
    bool known = false;
    for (const auto& [kind, name] : kUnderstandings) {
      if (name == understand) {
        node.understand = kind;
        known = true;
      }
    }
    if (!known) {
      reader.Problem(path + ".understand", "enum",
                     "应为 none、yes_no、number 或 time / one of none, yes_no, number, time");
    }
  }
  node.timeout_ms = reader.Integer(json, "timeout_ms", path, 8000, 1000, 60000);
  node.max_retries = reader.Integer(json, "max_retries", path, 2, 0, 5);
  node.no_input_text = reader.Text(json, "no_input", path, false);
  node.no_match_text = reader.Text(json, "no_match", path, false);
  node.on_fail = reader.Text(json, "on_fail", path, false);
  node.label = reader.Text(json, "label", path, false);
  node.labels = reader.TextMap(json, "labels", path, "应为文字 / must be a text");
  node.follow_up = reader.TextMap(json, "follow_up", path, "应为任务说明 / must be a task text");
  if (const auto* updates = reader.Object(json, "updates", path)) {
    for (const auto& [value, update] : updates->items()) {
      const std::string update_path = path + ".updates." + value;
      if (!update.is_object()) {
        reader.Problem(update_path, "type", "应为对象 / must be an object");
        continue;
      }
      node.updates[value] = {reader.Text(update, "field", update_path, true),
                             reader.Text(update, "value", update_path, true)};
    }
  }
}

void ReadBranch(Reader& reader, const nlohmann::json& json, const std::string& path, Node& node) {
  node.slot = reader.Text(json, "slot", path, true);
  if (const auto* cases = reader.Object(json, "cases", path)) {
    for (const auto& [value, target] : cases->items()) {
      if (!target.is_string()) {
        reader.Problem(path + ".cases." + value, "type", "应为节点编号 / must be a node id");
      } else {
        node.cases.emplace_back(value, target.get<std::string>());
      }
    }
  } else {
    reader.Problem(path + ".cases", "required", "分支必须有 cases / a branch needs cases");
  }
  node.otherwise = reader.Text(json, "otherwise", path, false);
}

// The members each node type may have (api/script.schema.json says the same): a misspelt member
// is an error, not silently dropped.
const std::vector<std::string>& AllowedMembers(NodeType type) {
  static const std::map<NodeType, std::vector<std::string>> kAllowed = {
      {NodeType::kSay, {"id", "type", "text", "recording", "interruptible", "next"}},
      {NodeType::kAsk,
       {"id",         "type",       "text",        "recording", "slot",         "keys",    "speech",
        "understand", "timeout_ms", "max_retries", "no_input",  "no_match",     "on_fail", "label",
        "labels",     "follow_up",  "updates",     "digits",    "update_field", "next"}},
      {NodeType::kBranch, {"id", "type", "slot", "cases", "otherwise"}},
      {NodeType::kSet, {"id", "type", "slot", "value", "next"}},
      {NodeType::kTransfer, {"id", "type", "text", "phone"}},
      {NodeType::kHangup, {"id", "type", "text"}},
  };
  return kAllowed.at(type);
}

void UnknownMembers(Reader& reader, const nlohmann::json& object,
                    const std::vector<std::string>& allowed, const std::string& path) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      reader.Problem(path + "." + key, "unknown", "不认识的字段 / unknown member");
    }
  }
}

Node ReadNode(Reader& reader, const nlohmann::json& json, const std::string& path) {
  Node node;
  if (!json.is_object()) {
    reader.Problem(path, "type", "应为对象 / must be an object");
    return node;
  }
  node.id = reader.Text(json, "id", path, true);
  if (!node.id.empty() && !IsKeyName(node.id)) {
    reader.Problem(path + ".id", "name", "只能用小写字母、数字和下划线 / only a-z, 0-9 and _");
  }
  const std::string type = reader.Text(json, "type", path, true);
  bool known = false;
  for (const auto& [kind, name] : kNodeTypes) {
    if (name == type) {
      node.type = kind;
      known = true;
    }
  }
  if (!known && !type.empty()) {
    reader.Problem(path + ".type", "enum",
                   "应为 say、ask、branch、set、transfer 或 hangup / one of say, ask, branch, set, "
                   "transfer, hangup");
    return node;
  }
  UnknownMembers(reader, json, AllowedMembers(node.type), path);
  const bool speaks = node.type == NodeType::kSay || node.type == NodeType::kAsk;
  node.text = reader.Text(json, "text", path, false);
  node.recording = reader.Text(json, "recording", path, false);
  if (speaks && node.text.empty() && node.recording.empty()) {
    reader.Problem(path + ".text", "required", "必须有提示语或录音 / needs text or a recording");
  }
  node.interruptible = reader.Boolean(json, "interruptible", path, true);
  const bool continues =
      node.type == NodeType::kSay || node.type == NodeType::kAsk || node.type == NodeType::kSet;
  node.next = reader.Text(json, "next", path, continues);
  switch (node.type) {
    case NodeType::kAsk:
      ReadAsk(reader, json, path, node);
      break;
    case NodeType::kBranch:
      ReadBranch(reader, json, path, node);
      break;
    case NodeType::kSet:
      node.slot = reader.Text(json, "slot", path, true);
      node.value = reader.Text(json, "value", path, true);
      break;
    case NodeType::kTransfer:
      node.phone = reader.Text(json, "phone", path, true);
      break;
    case NodeType::kSay:
    case NodeType::kHangup:
      break;
  }
  return node;
}

}  // namespace

const Node* Script::Find(const std::string& id) const {
  for (const auto& node : nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

std::map<std::string, AnswerLabels> Script::AnswerLabelsBySlot() const {
  std::map<std::string, AnswerLabels> labels;
  for (const auto& node : nodes) {
    if (node.type != NodeType::kAsk || labels.contains(node.slot)) continue;
    labels[node.slot] = {node.label.empty() ? node.slot : node.label, node.labels};
  }
  return labels;
}

std::string_view NodeTypeName(NodeType type) {
  for (const auto& [kind, name] : kNodeTypes) {
    if (kind == type) return name;
  }
  return "say";
}

Result<Script> ParseScript(const nlohmann::json& json) {
  Reader reader;
  Script script;
  if (!json.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, kMessage,
                {{"", "type", "话术应为 JSON 对象 / a script is a JSON object"}});
  }
  script.name = reader.Text(json, "name", "", true);
  if (!script.name.empty() && !IsKeyName(script.name)) {
    reader.Problem(".name", "name", "只能用小写字母、数字和下划线 / only a-z, 0-9 and _");
  }
  script.title = reader.Text(json, "title", "", true);
  UnknownMembers(
      reader, json,
      {"name", "title", "scenario", "description", "opt_out_key", "start", "fields", "nodes"}, "");
  script.scenario = reader.Text(json, "scenario", "", false);
  if (script.scenario.empty()) script.scenario = "other";
  static const std::vector<std::string> kScenarios = {
      "epidemic", "election", "health_check", "notice", "survey", "verification", "other"};
  if (std::find(kScenarios.begin(), kScenarios.end(), script.scenario) == kScenarios.end()) {
    reader.Problem(".scenario", "enum",
                   "应为 epidemic、election、health_check、notice、survey、verification 或 other / "
                   "one of epidemic, election, health_check, notice, survey, verification, other");
  }
  script.description = reader.Text(json, "description", "", false);
  const std::string opt_out = reader.Text(json, "opt_out_key", "", false);
  if (!opt_out.empty()) {
    if (IsDigitKey(opt_out)) {
      script.opt_out_key = opt_out[0];
    } else {
      reader.Problem(".opt_out_key", "digit", "按键只能是 0-9、* 或 # / a key is one of 0-9 * #");
    }
  }
  script.start = reader.Text(json, "start", "", true);
  if (auto it = json.find("fields"); it != json.end() && !it->is_null()) {
    if (!it->is_array()) {
      reader.Problem(".fields", "type", "应为列表 / must be a list");
    } else {
      for (size_t i = 0; i < it->size(); ++i) {
        const std::string path = ".fields[" + std::to_string(i) + "]";
        if (!(*it)[i].is_object()) {
          reader.Problem(path, "type", "应为对象 / must be an object");
          continue;
        }
        CampaignField field{reader.Text((*it)[i], "name", path, true),
                            reader.Text((*it)[i], "label", path, false)};
        if (!field.name.empty() && !IsKeyName(field.name)) {
          reader.Problem(path + ".name", "name",
                         "只能用小写字母、数字和下划线 / only a-z, 0-9 and _");
        }
        script.fields.push_back(std::move(field));
      }
    }
  }
  auto nodes = json.find("nodes");
  if (nodes == json.end() || !nodes->is_array() || nodes->empty()) {
    reader.Problem(".nodes", "required", "至少要有一个节点 / needs at least one node");
  } else {
    for (size_t i = 0; i < nodes->size(); ++i) {
      script.nodes.push_back(ReadNode(reader, (*nodes)[i], ".nodes[" + std::to_string(i) + "]"));
    }
  }
  for (auto& detail : reader.details) {
    if (!detail.field.empty() && detail.field[0] == '.') detail.field.erase(0, 1);
  }
  if (!reader.details.empty()) {
    return Fail(ErrorCode::kInvalidArgument, kMessage, std::move(reader.details));
  }
  return script;
}

Result<Script> ParseScriptText(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) {
    return Fail(ErrorCode::kInvalidArgument, kMessage,
                {{"", "json", "不是合法的 JSON / not valid JSON"}});
  }
  return ParseScript(json);
}

nlohmann::json ScriptToJson(const Script& script) {
  nlohmann::json out = {{"name", script.name},
                        {"title", script.title},
                        {"scenario", script.scenario},
                        {"opt_out_key", std::string(1, script.opt_out_key)},
                        {"start", script.start}};
  if (!script.description.empty()) out["description"] = script.description;
  if (!script.fields.empty()) {
    out["fields"] = nlohmann::json::array();
    for (const auto& field : script.fields) {
      out["fields"].push_back({{"name", field.name}, {"label", field.label}});
    }
  }
  out["nodes"] = nlohmann::json::array();
  for (const auto& node : script.nodes) {
    nlohmann::json item = {{"id", node.id}, {"type", NodeTypeName(node.type)}};
    if (!node.text.empty()) item["text"] = node.text;
    if (!node.recording.empty()) item["recording"] = node.recording;
    if (node.type == NodeType::kSay && !node.interruptible) item["interruptible"] = false;
    if (!node.next.empty()) item["next"] = node.next;
    switch (node.type) {
      case NodeType::kAsk: {
        item["slot"] = node.slot;
        if (node.digits) {
          item["digits"] = {{"min", node.digits->min_length},
                            {"max", node.digits->max_length},
                            {"end_key", std::string(1, node.digits->end_key)},
                            {"inter_digit_ms", node.digits->inter_digit_ms}};
          if (!node.digits->format.empty()) item["digits"]["format"] = node.digits->format;
          if (!node.update_field.empty()) item["update_field"] = node.update_field;
        } else {
          item["keys"] = nlohmann::json::object();
          for (const auto& key : node.keys) item["keys"][std::string(1, key.digit)] = key.value;
        }
        if (!node.speech.empty()) {
          item["speech"] = nlohmann::json::object();
          for (const auto& intent : node.speech) {
            auto words = nlohmann::json(intent.keywords);
            for (const auto& pattern : intent.patterns) words.push_back("re:" + pattern);
            item["speech"][intent.value] = words;
          }
        }
        for (const auto& [kind, name] : kUnderstandings) {
          if (kind == node.understand && kind != Understanding::kNone) item["understand"] = name;
        }
        item["timeout_ms"] = node.timeout_ms;
        item["max_retries"] = node.max_retries;
        if (!node.no_input_text.empty()) item["no_input"] = node.no_input_text;
        if (!node.no_match_text.empty()) item["no_match"] = node.no_match_text;
        if (!node.on_fail.empty()) item["on_fail"] = node.on_fail;
        if (!node.label.empty()) item["label"] = node.label;
        if (!node.labels.empty()) item["labels"] = node.labels;
        if (!node.follow_up.empty()) item["follow_up"] = node.follow_up;
        for (const auto& [value, update] : node.updates) {
          item["updates"][value] = {{"field", update.field}, {"value", update.value}};
        }
        break;
      }
      case NodeType::kBranch:
        item["slot"] = node.slot;
        item["cases"] = nlohmann::json::object();
        for (const auto& [value, target] : node.cases) item["cases"][value] = target;
        if (!node.otherwise.empty()) item["otherwise"] = node.otherwise;
        break;
      case NodeType::kSet:
        item["slot"] = node.slot;
        item["value"] = node.value;
        break;
      case NodeType::kTransfer:
        item["phone"] = node.phone;
        break;
      case NodeType::kSay:
      case NodeType::kHangup:
        break;
    }
    out["nodes"].push_back(std::move(item));
  }
  return out;
}

}  // namespace steward::campaign
