#include "sheet/internal/xml.hpp"

#include <exception>
#include <new>

#include "sheet/internal/reader_base.hpp"

namespace steward::sheet::internal {
namespace {

constexpr XML_Char kNamespaceSeparator = '|';

std::string_view LocalName(const XML_Char* name) {
  std::string_view full(name);
  const size_t bar = full.rfind(kNamespaceSeparator);
  return bar == std::string_view::npos ? full : full.substr(bar + 1);
}

struct Context {
  XML_Parser parser;
  XmlHandler* handler;
};

// Exceptions must not unwind through expat's C frames: each callback catches its own.
template <typename Call>
void Guard(void* data, Call call) {
  auto* context = static_cast<Context*>(data);
  if (context->handler->error()) return;
  try {
    call(context->handler);
  } catch (const std::bad_alloc&) {
    context->handler->Fail(OutOfMemory());
  } catch (const std::exception&) {
    context->handler->Fail(Damaged());
  }
  if (context->handler->error()) XML_StopParser(context->parser, XML_FALSE);
}

void OnStart(void* data, const XML_Char* name, const XML_Char** attributes) {
  Guard(data, [&](XmlHandler* handler) { handler->OnStart(LocalName(name), attributes); });
}

void OnEnd(void* data, const XML_Char* name) {
  Guard(data, [&](XmlHandler* handler) { handler->OnEnd(LocalName(name)); });
}

void OnText(void* data, const XML_Char* text, int length) {
  Guard(data, [&](XmlHandler* handler) {
    handler->OnText(std::string_view(text, static_cast<size_t>(length)));
  });
}

void OnDoctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  Guard(data, [&](XmlHandler* handler) { handler->Fail(Damaged()); });
}

}  // namespace

const char* Attribute(const XML_Char** attributes, std::string_view name) {
  for (size_t i = 0; attributes[i] != nullptr; i += 2) {
    if (LocalName(attributes[i]) == name) return attributes[i + 1];
  }
  return nullptr;
}

XmlParser::XmlParser(XmlHandler* handler)
    : parser_(XML_ParserCreateNS(nullptr, kNamespaceSeparator)), handler_(handler) {
  if (parser_ == nullptr) throw std::bad_alloc();
  auto* context = new Context{parser_, handler};
  XML_SetUserData(parser_, context);
  XML_SetElementHandler(parser_, &OnStart, &OnEnd);
  XML_SetCharacterDataHandler(parser_, &OnText);
  XML_SetStartDoctypeDeclHandler(parser_, &OnDoctype);
}

XmlParser::~XmlParser() {
  delete static_cast<Context*>(XML_GetUserData(parser_));
  XML_ParserFree(parser_);
}

Status XmlParser::Feed(std::string_view chunk, bool last) {
  const XML_Status status =
      XML_Parse(parser_, chunk.data(), static_cast<int>(chunk.size()), last ? XML_TRUE : XML_FALSE);
  if (handler_->error()) return tl::unexpected(*handler_->error());
  if (status != XML_STATUS_OK) return tl::unexpected(Damaged());
  return Ok();
}

}  // namespace steward::sheet::internal
