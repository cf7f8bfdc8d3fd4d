// The tree's builders and its canonical text. Parsing is in query_parse.cpp, JSON in
// query_json.cpp, the shared tables in internal/literals.cpp.
#include "segment/query.hpp"

#include "segment/internal/literals.hpp"

namespace steward::segment {

int64_t Duration::Hours() const {
  switch (unit) {
    case DurationUnit::kHours:
      return amount;
    case DurationUnit::kDays:
      return amount * 24;
    case DurationUnit::kWeeks:
      return amount * 24 * 7;
  }
  return amount;
}

std::string Duration::ToString() const {
  const char* suffix = unit == DurationUnit::kHours ? "h" : unit == DurationUnit::kDays ? "d" : "w";
  return std::to_string(amount) + suffix;
}

bool TakesDuration(Function function) {
  return function == Function::kCalledWithin || function == Function::kAnsweredWithin ||
         function == Function::kVisitedWithin;
}

Query Query::And(std::vector<Query> children) {
  Query query;
  query.kind = NodeKind::kAnd;
  query.children = std::move(children);
  return query;
}

Query Query::Or(std::vector<Query> children) {
  Query query;
  query.kind = NodeKind::kOr;
  query.children = std::move(children);
  return query;
}

Query Query::Not(Query child) {
  Query query;
  query.kind = NodeKind::kNot;
  query.children.push_back(std::move(child));
  return query;
}

Query Query::Compare(Field field, CompareOp op, Value value) {
  Query query;
  query.kind = NodeKind::kCompare;
  query.field = field;
  query.op = op;
  query.values.push_back(std::move(value));
  return query;
}

Query Query::In(Field field, std::vector<Value> values) {
  Query query;
  query.kind = NodeKind::kIn;
  query.field = field;
  query.values = std::move(values);
  return query;
}

Query Query::UnitIn(std::vector<std::string> names) {
  Query query;
  query.kind = NodeKind::kIn;
  query.field = Field::kUnit;
  query.names = std::move(names);
  return query;
}

Query Query::Call(Function function, std::vector<std::string> names) {
  Query query;
  query.kind = NodeKind::kCall;
  query.function = function;
  query.names = std::move(names);
  return query;
}

Query Query::Within(Function function, Duration duration) {
  Query query;
  query.kind = NodeKind::kCall;
  query.function = function;
  query.duration = duration;
  return query;
}

namespace {

void AppendQuoted(std::string_view text, std::string& out) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void AppendValue(const Value& value, std::string& out) {
  if (const bool* flag = std::get_if<bool>(&value)) {
    out += *flag ? "true" : "false";
  } else if (const int64_t* number = std::get_if<int64_t>(&value)) {
    out += std::to_string(*number);
  } else if (const std::string* text = std::get_if<std::string>(&value)) {
    AppendQuoted(*text, out);
  } else {
    AppendQuoted(std::get<Date>(value).ToString(), out);
  }
}

// Tags may be written bare (has(lives_alone), has(独居)); place names are always quoted, as the
// console's users write them.
void AppendName(Function function, std::string_view name, std::string& out) {
  const bool tag =
      function == Function::kHas || function == Function::kHasAny || function == Function::kHasAll;
  if (tag && internal::IsBareName(name)) {
    out += name;
  } else {
    AppendQuoted(name, out);
  }
}

bool IsBareTrue(const Query& query) {
  return (query.field == Field::kPhoneValid || query.field == Field::kOptedOut) &&
         query.op == CompareOp::kEqual && query.values.size() == 1 &&
         query.values[0] == Value(true);
}

void AppendText(const Query& query, std::string& out);

void AppendChild(const Query& child, bool parenthesise, std::string& out) {
  if (parenthesise) out += '(';
  AppendText(child, out);
  if (parenthesise) out += ')';
}

void AppendText(const Query& query, std::string& out) {
  switch (query.kind) {
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      const bool is_and = query.kind == NodeKind::kAnd;
      for (size_t i = 0; i < query.children.size(); ++i) {
        if (i > 0) out += is_and ? " and " : " or ";
        const Query& child = query.children[i];
        // `a and (b and c)` stays nested: the parser builds one node per written chain.
        const bool parenthesise =
            child.kind == NodeKind::kOr || (is_and && child.kind == NodeKind::kAnd);
        AppendChild(child, parenthesise, out);
      }
      break;
    }
    case NodeKind::kNot: {
      out += "not ";
      if (!query.children.empty()) {
        const Query& child = query.children[0];
        AppendChild(child, child.kind == NodeKind::kAnd || child.kind == NodeKind::kOr, out);
      }
      break;
    }
    case NodeKind::kCompare:
      out += FieldName(query.field);
      if (IsBareTrue(query)) break;
      out += ' ';
      out += CompareOpText(query.op);
      out += ' ';
      if (!query.values.empty()) AppendValue(query.values[0], out);
      break;
    case NodeKind::kIn: {
      out += FieldName(query.field);
      out += " in (";
      const bool unit = query.field == Field::kUnit;
      const size_t count = unit ? query.names.size() : query.values.size();
      for (size_t i = 0; i < count; ++i) {
        if (i > 0) out += ", ";
        if (unit) {
          AppendQuoted(query.names[i], out);
        } else {
          AppendValue(query.values[i], out);
        }
      }
      out += ')';
      break;
    }
    case NodeKind::kCall:
      out += FunctionName(query.function);
      out += '(';
      if (TakesDuration(query.function)) {
        out += query.duration.ToString();
      } else {
        for (size_t i = 0; i < query.names.size(); ++i) {
          if (i > 0) out += ", ";
          AppendName(query.function, query.names[i], out);
        }
      }
      out += ')';
      break;
  }
}

}  // namespace

std::string ToText(const Query& query) {
  std::string out;
  AppendText(query, out);
  return out;
}

}  // namespace steward::segment
