// ToJson and QueryFromJson: the tree as the console's builder writes it (the form is documented
// in query.hpp). Errors name the path into the JSON, e.g. $.and[2].value.
#include <nlohmann/json.hpp>

#include "segment/internal/literals.hpp"
#include "segment/query.hpp"

namespace steward::segment {
namespace {

using internal::Problem;
using nlohmann::json;

json ValueToJson(const Value& value) {
  if (const bool* flag = std::get_if<bool>(&value)) return *flag;
  if (const int64_t* number = std::get_if<int64_t>(&value)) return *number;
  if (const std::string* text = std::get_if<std::string>(&value)) return *text;
  return std::get<Date>(value).ToString();
}

constexpr const char* kMessage = "分群条件有误 / invalid segment query";

class Reader {
 public:
  Result<Query> Run(const json& root) {
    std::optional<Query> query = Read(root, "$", 0);
    if (!query) return Fail(ErrorCode::kInvalidArgument, kMessage, {error_});
    return std::move(*query);
  }

 private:
  std::nullopt_t Report(const std::string& path, const Problem& problem) {
    error_ = ErrorDetail{path, problem.code,
                         path + "：" + problem.zh + " / " + path + ": " + problem.en};
    return std::nullopt;
  }

  std::nullopt_t Report(const std::string& path, std::string code, std::string zh, std::string en) {
    return Report(path, Problem{std::move(code), std::move(zh), std::move(en)});
  }

  // The node's kind key: exactly one of and/or/not/field/unit_in/<function>.
  std::optional<std::string> KindKey(const json& node, const std::string& path) {
    std::optional<std::string> key;
    for (const auto& [name, value] : node.items()) {
      const bool kind_key = name == "and" || name == "or" || name == "not" || name == "field" ||
                            name == "unit_in" || internal::FunctionFromName(name).has_value();
      if (!kind_key) continue;
      if (key) {
        Report(path, "syntax", "节点只能有 " + *key + " 或 " + name + " 之一",
               "a node has one of " + *key + " and " + name + ", not both");
        return std::nullopt;
      }
      key = name;
    }
    if (!key) {
      Report(path, "syntax",
             "节点应有 and、or、not、field、unit_in 或函数名之一（" +
                 internal::KnownFunctionsText() + "）",
             "a node needs one of and, or, not, field, unit_in or a function (" +
                 internal::KnownFunctionsText() + ")");
    }
    return key;
  }

  // Refuses keys other than `allowed` (the kind key is always allowed).
  bool OnlyKeys(const json& node, const std::string& path,
                std::initializer_list<std::string_view> allowed) {
    for (const auto& [name, value] : node.items()) {
      bool known = false;
      for (std::string_view key : allowed) known = known || name == key;
      if (!known) {
        Report(path + "." + name, "syntax", "此处不应有 " + name, "unexpected key " + name);
        return false;
      }
    }
    return true;
  }

  std::optional<Query> Read(const json& node, const std::string& path, int depth) {
    if (depth >= kMaxDepth) {
      return Report(path, "syntax", "嵌套太深（最多 " + std::to_string(kMaxDepth) + " 层）",
                    "nested too deeply (at most " + std::to_string(kMaxDepth) + " levels)");
    }
    if (!node.is_object()) return Report(path, "syntax", "应为对象", "expected an object");
    std::optional<std::string> key = KindKey(node, path);
    if (!key) return std::nullopt;
    const std::string child_path = path + "." + *key;
    const json& body = node.at(*key);
    if (*key == "and" || *key == "or") {
      if (!OnlyKeys(node, path, {*key})) return std::nullopt;
      if (!body.is_array() || body.empty()) {
        return Report(child_path, "syntax", "应为非空数组", "expected a non-empty array");
      }
      std::vector<Query> children;
      for (size_t i = 0; i < body.size(); ++i) {
        std::optional<Query> child =
            Read(body[i], child_path + "[" + std::to_string(i) + "]", depth + 1);
        if (!child) return std::nullopt;
        children.push_back(std::move(*child));
      }
      if (children.size() == 1) return std::move(children[0]);
      return *key == "and" ? Query::And(std::move(children)) : Query::Or(std::move(children));
    }
    if (*key == "not") {
      if (!OnlyKeys(node, path, {"not"})) return std::nullopt;
      std::optional<Query> child = Read(body, child_path, depth + 1);
      if (!child) return std::nullopt;
      return Query::Not(std::move(*child));
    }
    if (*key == "field") return ReadCondition(node, path);
    if (*key == "unit_in") {
      if (!OnlyKeys(node, path, {"unit_in"})) return std::nullopt;
      std::optional<std::vector<std::string>> names = ReadNames(body, child_path, false);
      if (!names) return std::nullopt;
      return Query::UnitIn(std::move(*names));
    }
    const Function function = *internal::FunctionFromName(*key);
    if (*key != FunctionName(function)) {  // function names are lower case in JSON
      return Report(path + "." + *key, "syntax", "此处不应有 " + *key, "unexpected key " + *key);
    }
    if (!OnlyKeys(node, path, {*key})) return std::nullopt;
    if (TakesDuration(function)) {
      std::optional<Duration> duration =
          body.is_string() ? internal::ParseDuration(body.get_ref<const std::string&>())
                           : std::nullopt;
      if (!duration) {
        return Report(child_path, "syntax", "应为时长，如 \"7d\"、\"12h\" 或 \"2w\"",
                      "expected a duration such as \"7d\", \"12h\" or \"2w\"");
      }
      return Query::Within(function, *duration);
    }
    std::optional<std::vector<std::string>> names =
        ReadNames(body, child_path, function == Function::kHas);
    if (!names) return std::nullopt;
    return Query::Call(function, std::move(*names));
  }

  std::optional<std::vector<std::string>> ReadNames(const json& body, const std::string& path,
                                                    bool exactly_one) {
    if (!body.is_array() || body.empty()) {
      Report(path, "syntax", "应为非空的名称数组", "expected a non-empty array of names");
      return std::nullopt;
    }
    if (exactly_one && body.size() != 1) {
      Report(path, "syntax", "has 只接受一个标签，多个标签请用 has_any 或 has_all",
             "has takes one tag; use has_any or has_all for several");
      return std::nullopt;
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < body.size(); ++i) {
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      if (!body[i].is_string()) {
        Report(item_path, "syntax", "应为文字", "expected a string");
        return std::nullopt;
      }
      const std::string& name = body[i].get_ref<const std::string&>();
      if (std::optional<Problem> problem = internal::CheckName(name)) {
        Report(item_path, *problem);
        return std::nullopt;
      }
      names.push_back(name);
    }
    return names;
  }

  std::optional<Value> ReadValue(Field field, const json& value, const std::string& path) {
    Value raw;
    if (value.is_boolean()) {
      raw = value.get<bool>();
    } else if (value.is_number_unsigned()) {
      const uint64_t number = value.get<uint64_t>();
      raw = static_cast<int64_t>(std::min<uint64_t>(number, uint64_t{1} << 62));
    } else if (value.is_number_integer()) {
      raw = value.get<int64_t>();
    } else if (value.is_string()) {
      raw = value.get<std::string>();
    } else {
      return Report(path, "type", "应为整数、文字或 true/false",
                    "expected an integer, a string, true or false");
    }
    internal::Checked<Value> normalised = internal::NormaliseValue(field, raw);
    if (!normalised) return Report(path, normalised.error());
    return std::move(*normalised);
  }

  std::optional<Query> ReadCondition(const json& node, const std::string& path) {
    const json& name = node.at("field");
    std::optional<Field> field;
    if (name.is_string()) field = internal::FieldFromName(name.get_ref<const std::string&>());
    if (!field || field == Field::kUnit ||
        name.get_ref<const std::string&>() != FieldName(*field)) {
      return Report(path + ".field", "unknown_field",
                    "未知字段，可用：" + internal::KnownFieldsText(),
                    "unknown field; known fields: " + internal::KnownFieldsText());
    }
    if (node.contains("in")) {
      if (!OnlyKeys(node, path, {"field", "in"})) return std::nullopt;
      if (std::optional<Problem> problem = internal::CheckInField(*field)) {
        return Report(path + ".in", *problem);
      }
      const json& list = node.at("in");
      if (!list.is_array() || list.empty()) {
        return Report(path + ".in", "syntax", "应为非空数组", "expected a non-empty array");
      }
      std::vector<Value> values;
      for (size_t i = 0; i < list.size(); ++i) {
        std::optional<Value> value =
            ReadValue(*field, list[i], path + ".in[" + std::to_string(i) + "]");
        if (!value) return std::nullopt;
        values.push_back(std::move(*value));
      }
      return Query::In(*field, std::move(values));
    }
    if (!OnlyKeys(node, path, {"field", "op", "value"})) return std::nullopt;
    if (!node.contains("op") || !node.contains("value")) {
      return Report(path, "syntax", "条件应有 op 和 value，或 in",
                    "a condition needs op and value, or in");
    }
    const json& op_json = node.at("op");
    std::optional<CompareOp> op;
    if (op_json.is_string())
      op = internal::CompareOpFromText(op_json.get_ref<const std::string&>());
    if (!op) {
      return Report(path + ".op", "syntax", "运算符应为 = != < <= > >= 之一",
                    "op must be one of = != < <= > >=");
    }
    if (std::optional<Problem> problem = internal::CheckOperator(*field, *op)) {
      return Report(path + ".op", *problem);
    }
    std::optional<Value> value = ReadValue(*field, node.at("value"), path + ".value");
    if (!value) return std::nullopt;
    return Query::Compare(*field, *op, std::move(*value));
  }

  ErrorDetail error_;
};

}  // namespace

json ToJson(const Query& query) {
  switch (query.kind) {
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      json children = json::array();
      for (const Query& child : query.children) children.push_back(ToJson(child));
      return json{{query.kind == NodeKind::kAnd ? "and" : "or", std::move(children)}};
    }
    case NodeKind::kNot:
      return json{{"not", query.children.empty() ? json::object() : ToJson(query.children[0])}};
    case NodeKind::kCompare:
      return json{{"field", FieldName(query.field)},
                  {"op", CompareOpText(query.op)},
                  {"value", query.values.empty() ? json() : ValueToJson(query.values[0])}};
    case NodeKind::kIn: {
      if (query.field == Field::kUnit) return json{{"unit_in", query.names}};
      json values = json::array();
      for (const Value& value : query.values) values.push_back(ValueToJson(value));
      return json{{"field", FieldName(query.field)}, {"in", std::move(values)}};
    }
    case NodeKind::kCall:
      if (TakesDuration(query.function)) {
        return json{{FunctionName(query.function), query.duration.ToString()}};
      }
      return json{{FunctionName(query.function), query.names}};
  }
  return json();
}

Result<Query> QueryFromJson(const json& value) { return Reader().Run(value); }

}  // namespace steward::segment
