// XmlParser: expat, namespace-aware, fed in chunks, calling an XmlHandler with local names
// ("x:row" and "row" both arrive as "row"), so files from Excel, WPS and .NET writers read alike.
//
// Private to sheet/. One thread at a time. A document with a DOCTYPE is refused (OOXML has none;
// entity tricks need one).
#pragma once

#include <optional>
#include <string_view>

#include <expat.h>

#include "base/result.hpp"

namespace steward::sheet::internal {

class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  // `attributes` alternate names and values, null-terminated (expat's layout); see Attribute().
  virtual void OnStart(std::string_view name, const XML_Char** attributes) = 0;
  virtual void OnEnd(std::string_view name) = 0;
  virtual void OnText(std::string_view /*text*/) {}

  // Stops the parse; Feed() then returns this error.
  void Fail(Error error) {
    if (!error_) error_ = std::move(error);
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  std::optional<Error> error_;
};

// The value of the attribute whose local name is `name`, or nullptr.
const char* Attribute(const XML_Char** attributes, std::string_view name);

class XmlParser {
 public:
  explicit XmlParser(XmlHandler* handler);
  ~XmlParser();
  XmlParser(const XmlParser&) = delete;
  XmlParser& operator=(const XmlParser&) = delete;

  // Parses the next chunk; `last` with the final one (which may be empty). A malformed document
  // is Damaged(); a handler's error is returned as it set it.
  Status Feed(std::string_view chunk, bool last);

 private:
  XML_Parser parser_;
  XmlHandler* handler_;
};

}  // namespace steward::sheet::internal
