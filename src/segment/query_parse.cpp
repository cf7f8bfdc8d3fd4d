// ParseQuery: a hand-written lexer and recursive-descent parser for the segment language (the
// grammar is in README.md). Tokens are read one at a time so an error is reported at the first
// place the text goes wrong, lexical or not. Columns count characters, not bytes.
#include <optional>

#include "base/utf8.hpp"
#include "segment/internal/literals.hpp"
#include "segment/query.hpp"

namespace steward::segment {
namespace {

using internal::Problem;

enum class TokenKind {
  kWord,
  kInteger,
  kDuration,
  kString,
  kLeft,
  kRight,
  kComma,
  kOp,
  kEnd,
  kBad
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;   // byte offset of the first character
  std::string text;    // the word, the string's contents, the operator, the digits
  int64_t number = 0;  // kInteger
  Duration duration;   // kDuration
  Problem problem;     // kBad
};

// What a token is called in "expected X, found Y".
std::string Describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kWord:
      return token.text;
    case TokenKind::kInteger:
      return std::to_string(token.number);
    case TokenKind::kDuration:
      return token.duration.ToString();
    case TokenKind::kString:
      return "\"…\"";
    case TokenKind::kLeft:
      return "(";
    case TokenKind::kRight:
      return ")";
    case TokenKind::kComma:
      return ",";
    case TokenKind::kOp:
      return token.text;
    case TokenKind::kEnd:
    case TokenKind::kBad:
      break;
  }
  return "";
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  const Token& Peek() {
    if (!peeked_) {
      next_ = Read();
      peeked_ = true;
    }
    return next_;
  }

  Token Take() {
    Peek();
    peeked_ = false;
    return std::move(next_);
  }

 private:
  char32_t At(size_t at, size_t* length) const { return internal::DecodeAt(text_, at, length); }

  Token Bad(size_t offset, std::string code, std::string zh, std::string en) {
    Token token;
    token.kind = TokenKind::kBad;
    token.offset = offset;
    token.problem = Problem{std::move(code), std::move(zh), std::move(en)};
    pos_ = text_.size();
    return token;
  }

  Token Read() {
    size_t length = 0;
    while (pos_ < text_.size() && internal::IsSpace(At(pos_, &length))) pos_ += length;
    Token token;
    token.offset = pos_;
    if (pos_ >= text_.size()) return token;
    const char32_t c = At(pos_, &length);
    switch (c) {
      case '(':
      case 0xFF08:
        token.kind = TokenKind::kLeft;
        pos_ += length;
        return token;
      case ')':
      case 0xFF09:
        token.kind = TokenKind::kRight;
        pos_ += length;
        return token;
      case ',':
      case 0xFF0C:
      case 0x3001:
        token.kind = TokenKind::kComma;
        pos_ += length;
        return token;
      case '"':
      case 0x201C:
        return ReadString(c == '"' ? U'"' : U'\u201D');
      case '=':
      case '!':
      case '<':
      case '>':
      case 0xFF1D:
      case 0xFF01:
      case 0xFF1C:
      case 0xFF1E:
        return ReadOperator();
      default:
        break;
    }
    if (c >= '0' && c <= '9') return ReadNumber();
    if (internal::IsWordChar(c)) {
      while (pos_ < text_.size() && internal::IsWordChar(At(pos_, &length))) pos_ += length;
      token.kind = TokenKind::kWord;
      token.text = std::string(text_.substr(token.offset, pos_ - token.offset));
      return token;
    }
    const std::string shown(text_.substr(pos_, length));
    return Bad(pos_, "syntax", "无法识别的字符 " + shown, "unexpected character " + shown);
  }

  static char Ascii(char32_t c) {
    switch (c) {
      case 0xFF1D:
        return '=';
      case 0xFF01:
        return '!';
      case 0xFF1C:
        return '<';
      case 0xFF1E:
        return '>';
      default:
        return static_cast<char>(c);
    }
  }

  Token ReadOperator() {
    Token token;
    token.kind = TokenKind::kOp;
    token.offset = pos_;
    size_t length = 0;
    token.text += Ascii(At(pos_, &length));
    pos_ += length;
    if (pos_ < text_.size()) {
      const char second = Ascii(At(pos_, &length));
      if (second == '=' && token.text != "=") {
        token.text += second;
        pos_ += length;
      }
    }
    if (!internal::CompareOpFromText(token.text)) {
      return Bad(token.offset, "syntax", "无法识别的运算符 " + token.text + "，应为 = != < <= > >=",
                 "unknown operator " + token.text + "; expected = != < <= > >=");
    }
    return token;
  }

  Token ReadNumber() {
    Token token;
    token.kind = TokenKind::kInteger;
    token.offset = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    const std::string_view digits = text_.substr(token.offset, pos_ - token.offset);
    size_t length = 0;
    size_t end = pos_;
    while (end < text_.size() && internal::IsWordChar(At(end, &length))) end += length;
    if (end > pos_) {  // a duration such as 7d, or garbage such as 7x
      const std::string_view word = text_.substr(token.offset, end - token.offset);
      const std::optional<Duration> duration = internal::ParseDuration(word);
      if (!duration) {
        const std::string shown(word);
        return Bad(token.offset, "syntax",
                   "无法识别的 " + shown + "：时长应写作 7d、12h 或 2w（1 到 100000）",
                   "cannot read " + shown + ": a duration is written 7d, 12h or 2w (1 to 100000)");
      }
      pos_ = end;
      token.kind = TokenKind::kDuration;
      token.duration = *duration;
      return token;
    }
    if (digits.size() > 10) {
      return Bad(token.offset, "value", "数字太大", "the number is too large");
    }
    for (char c : digits) token.number = token.number * 10 + (c - '0');
    token.text = std::string(digits);
    return token;
  }

  Token ReadString(char32_t closing) {
    Token token;
    token.kind = TokenKind::kString;
    token.offset = pos_;
    size_t length = 0;
    At(pos_, &length);
    pos_ += length;
    while (pos_ < text_.size()) {
      const char32_t c = At(pos_, &length);
      if (c == closing) {
        pos_ += length;
        return token;
      }
      if (c == '\\') {
        size_t escaped_length = 0;
        const char32_t escaped = pos_ + 1 < text_.size() ? At(pos_ + 1, &escaped_length) : 0;
        if (escaped != '"' && escaped != '\\' && escaped != 0x201C && escaped != 0x201D) {
          return Bad(pos_, "syntax", "字符串中只能转义 \\\" 和 \\\\",
                     "only \\\" and \\\\ may be escaped in a string");
        }
        token.text += text_.substr(pos_ + 1, escaped_length);
        pos_ += 1 + escaped_length;
        continue;
      }
      token.text += text_.substr(pos_, length);
      pos_ += length;
    }
    return Bad(token.offset, "syntax", "字符串缺少结尾的引号", "the string has no closing quote");
  }

  std::string_view text_;
  size_t pos_ = 0;
  bool peeked_ = false;
  Token next_;
};

constexpr const char* kMessage = "分群条件有误 / invalid segment query";

// The detail for a problem at a byte offset; the column counts characters, 1-based.
ErrorDetail DetailAt(std::string_view text, size_t offset, const Problem& problem) {
  size_t column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  const std::string number = std::to_string(column);
  return ErrorDetail{
      "query", problem.code,
      "第 " + number + " 列：" + problem.zh + " / column " + number + ": " + problem.en};
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lexer_(text) {}

  Result<Query> Run() {
    std::optional<Query> query = ParseOr();
    if (query && lexer_.Peek().kind != TokenKind::kEnd) {
      if (lexer_.Peek().kind == TokenKind::kRight) {
        Report(lexer_.Peek().offset, Problem{"syntax", "多余的 )", "an unmatched )"});
      } else {
        Expected(lexer_.Peek(), "应为 and、or 或结尾", "expected and, or, or the end");
      }
      query.reset();
    }
    if (!query || failed_) return Fail(ErrorCode::kInvalidArgument, kMessage, {error_});
    return std::move(*query);
  }

 private:
  void Report(size_t offset, const Problem& problem) {
    if (failed_) return;
    failed_ = true;
    error_ = DetailAt(text_, offset, problem);
  }

  // A bad token reports its own problem; anything else is "expected ...".
  std::nullopt_t Expected(const Token& found, std::string zh, std::string en) {
    if (found.kind == TokenKind::kBad) {
      Report(found.offset, found.problem);
    } else {
      if (found.kind == TokenKind::kEnd) {
        zh += "，但条件已结束";
        en += ", found the end";
      } else {
        zh += "，实为 " + Describe(found);
        en += ", found " + Describe(found);
      }
      Report(found.offset, Problem{"syntax", std::move(zh), std::move(en)});
    }
    return std::nullopt;
  }

  bool IsKeyword(const Token& token, std::string_view keyword) {
    return token.kind == TokenKind::kWord && internal::AsciiLower(token.text) == keyword;
  }

  bool Enter(const Token& token) {
    if (++depth_ > kMaxDepth) {
      Report(token.offset,
             Problem{"syntax", "嵌套太深（最多 " + std::to_string(kMaxDepth) + " 层）",
                     "nested too deeply (at most " + std::to_string(kMaxDepth) + " levels)"});
      return false;
    }
    return true;
  }

  std::optional<Query> ParseOr() { return ParseChain("or", NodeKind::kOr); }

  std::optional<Query> ParseChain(std::string_view keyword, NodeKind kind) {
    std::vector<Query> children;
    do {
      std::optional<Query> child =
          kind == NodeKind::kOr ? ParseChain("and", NodeKind::kAnd) : ParseUnary();
      if (!child) return std::nullopt;
      children.push_back(std::move(*child));
      if (!IsKeyword(lexer_.Peek(), keyword)) break;
      lexer_.Take();
    } while (true);
    if (children.size() == 1) return std::move(children[0]);
    return kind == NodeKind::kOr ? Query::Or(std::move(children)) : Query::And(std::move(children));
  }

  std::optional<Query> ParseUnary() {
    if (!Enter(lexer_.Peek())) return std::nullopt;
    std::optional<Query> result;
    if (IsKeyword(lexer_.Peek(), "not")) {
      lexer_.Take();
      std::optional<Query> child = ParseUnary();
      if (child) result = Query::Not(std::move(*child));
    } else {
      result = ParsePrimary();
    }
    --depth_;
    return result;
  }

  std::optional<Query> ParsePrimary() {
    const Token& next = lexer_.Peek();
    if (next.kind == TokenKind::kLeft) {
      lexer_.Take();
      std::optional<Query> inner = ParseOr();
      if (!inner) return std::nullopt;
      if (lexer_.Peek().kind != TokenKind::kRight) {
        return Expected(lexer_.Peek(), "应为 )", "expected )");
      }
      lexer_.Take();
      return inner;
    }
    if (next.kind != TokenKind::kWord || internal::IsKeyword(next.text)) {
      return Expected(next, "应为条件：字段、函数或 (",
                      "expected a condition: a field, a function or (");
    }
    const Token word = lexer_.Take();
    if (std::optional<Function> function = internal::FunctionFromName(word.text)) {
      return ParseCall(*function);
    }
    if (std::optional<Field> field = internal::FieldFromName(word.text)) {
      return ParseCondition(*field);
    }
    if (lexer_.Peek().kind == TokenKind::kLeft) {
      Report(word.offset,
             Problem{"unknown_function",
                     "未知函数 " + word.text + "，可用：" + internal::KnownFunctionsText(),
                     "unknown function " + word.text +
                         "; known functions: " + internal::KnownFunctionsText()});
    } else {
      Report(
          word.offset,
          Problem{"unknown_field",
                  "未知字段 " + word.text + "，可用：" + internal::KnownFieldsText(),
                  "unknown field " + word.text + "; known fields: " + internal::KnownFieldsText()});
    }
    return std::nullopt;
  }

  std::optional<Query> ParseCondition(Field field) {
    const Token& next = lexer_.Peek();
    if (IsKeyword(next, "in")) {
      const size_t in_offset = next.offset;
      lexer_.Take();
      if (field == Field::kUnit) {
        std::optional<std::vector<std::string>> names = ParseNames(Function::kComplex, true);
        if (!names) return std::nullopt;
        return Query::UnitIn(std::move(*names));
      }
      if (std::optional<Problem> problem = internal::CheckInField(field)) {
        Report(in_offset, *problem);
        return std::nullopt;
      }
      return ParseInList(field);
    }
    if (next.kind == TokenKind::kOp) {
      const Token op_token = lexer_.Take();
      const CompareOp op = *internal::CompareOpFromText(op_token.text);
      if (std::optional<Problem> problem = internal::CheckOperator(field, op)) {
        Report(op_token.offset, *problem);
        return std::nullopt;
      }
      std::optional<Value> value = ParseValue(field);
      if (!value) return std::nullopt;
      return Query::Compare(field, op, std::move(*value));
    }
    if (field == Field::kPhoneValid || field == Field::kOptedOut) {
      return Query::Compare(field, CompareOp::kEqual, true);
    }
    if (field == Field::kUnit) return Expected(next, "应为 in", "expected in");
    return Expected(next, "应为运算符（= != < <= > >=）或 in",
                    "expected an operator (= != < <= > >=) or in");
  }

  std::optional<Value> ParseValue(Field field) {
    const Token& next = lexer_.Peek();
    Value raw;
    if (next.kind == TokenKind::kInteger) {
      raw = next.number;
    } else if (next.kind == TokenKind::kString) {
      raw = next.text;
    } else if (IsKeyword(next, "true") || IsKeyword(next, "false")) {
      raw = IsKeyword(next, "true");
    } else if (next.kind == TokenKind::kWord) {
      const std::string hint = next.text;
      return Expected(
          next, "应为值（数字、带引号的文字、true 或 false），如 \"" + hint + "\"",
          "expected a value (a number, a quoted string, true or false) such as \"" + hint + "\"");
    } else {
      return Expected(next, "应为值（数字、带引号的文字、true 或 false）",
                      "expected a value (a number, a quoted string, true or false)");
    }
    const size_t offset = next.offset;
    lexer_.Take();
    internal::Checked<Value> value = internal::NormaliseValue(field, raw);
    if (!value) {
      Report(offset, value.error());
      return std::nullopt;
    }
    return std::move(*value);
  }

  // "(" value { "," value } ")"
  std::optional<Query> ParseInList(Field field) {
    if (lexer_.Peek().kind != TokenKind::kLeft) {
      return Expected(lexer_.Peek(), "应为 (", "expected (");
    }
    lexer_.Take();
    std::vector<Value> values;
    while (true) {
      std::optional<Value> value = ParseValue(field);
      if (!value) return std::nullopt;
      values.push_back(std::move(*value));
      if (lexer_.Peek().kind == TokenKind::kComma) {
        lexer_.Take();
        continue;
      }
      if (lexer_.Peek().kind == TokenKind::kRight) break;
      return Expected(lexer_.Peek(), "应为 , 或 )", "expected , or )");
    }
    lexer_.Take();
    return Query::In(field, std::move(values));
  }

  // "(" name { "," name } ")", a name being a word or a string; `has` takes exactly one.
  std::optional<std::vector<std::string>> ParseNames(Function function, bool unit) {
    if (lexer_.Peek().kind != TokenKind::kLeft) {
      Expected(lexer_.Peek(), "应为 (", "expected (");
      return std::nullopt;
    }
    lexer_.Take();
    const bool tags = !unit && (function == Function::kHas || function == Function::kHasAny ||
                                function == Function::kHasAll);
    std::vector<std::string> names;
    while (true) {
      const Token& next = lexer_.Peek();
      if (next.kind != TokenKind::kWord && next.kind != TokenKind::kString) {
        Expected(next, tags ? "应为标签名" : "应为名称",
                 tags ? "expected a tag name" : "expected a name");
        return std::nullopt;
      }
      if (std::optional<Problem> problem = internal::CheckName(next.text)) {
        Report(next.offset, *problem);
        return std::nullopt;
      }
      names.push_back(lexer_.Take().text);
      if (lexer_.Peek().kind == TokenKind::kComma) {
        if (!unit && function == Function::kHas) {
          Report(lexer_.Peek().offset,
                 Problem{"syntax", "has 只接受一个标签，多个标签请用 has_any 或 has_all",
                         "has takes one tag; use has_any or has_all for several"});
          return std::nullopt;
        }
        lexer_.Take();
        continue;
      }
      if (lexer_.Peek().kind == TokenKind::kRight) break;
      Expected(lexer_.Peek(), "应为 , 或 )", "expected , or )");
      return std::nullopt;
    }
    lexer_.Take();
    return names;
  }

  std::optional<Query> ParseCall(Function function) {
    if (!TakesDuration(function)) {
      std::optional<std::vector<std::string>> names = ParseNames(function, false);
      if (!names) return std::nullopt;
      return Query::Call(function, std::move(*names));
    }
    if (lexer_.Peek().kind != TokenKind::kLeft) {
      return Expected(lexer_.Peek(), "应为 (", "expected (");
    }
    lexer_.Take();
    if (lexer_.Peek().kind != TokenKind::kDuration) {
      return Expected(lexer_.Peek(), "应为时长，如 7d、12h 或 2w",
                      "expected a duration such as 7d, 12h or 2w");
    }
    const Duration duration = lexer_.Take().duration;
    if (lexer_.Peek().kind != TokenKind::kRight) {
      return Expected(lexer_.Peek(), "应为 )", "expected )");
    }
    lexer_.Take();
    return Query::Within(function, duration);
  }

  std::string_view text_;
  Lexer lexer_;
  int depth_ = 0;
  bool failed_ = false;
  ErrorDetail error_;
};

}  // namespace

Result<Query> ParseQuery(std::string_view text) {
  if (text.size() > kMaxTextBytes) {
    return Fail(ErrorCode::kInvalidArgument, kMessage,
                {{"query", "too_long",
                  "条件太长（最多 " + std::to_string(kMaxTextBytes) +
                      " 字节） / the query is too long (at most " + std::to_string(kMaxTextBytes) +
                      " bytes)"}});
  }
  if (const size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) {
    return Fail(
        ErrorCode::kInvalidArgument, kMessage,
        {DetailAt(text, bad, Problem{"syntax", "不是有效的 UTF-8 文字", "not valid UTF-8 text"})});
  }
  return Parser(text).Run();
}

}  // namespace steward::segment
