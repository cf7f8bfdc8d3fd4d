// Dictionaries: the lists of codes and labels the console's forms and filters offer (RuoYi's
// dict data), kept in `dictionary_item`. Tags are a dictionary too but keep their own table
// (`tag`, with sensitivity), edited apart.
//
// A record stores an item's code; people read its label (zh-CN, and English). Admins relabel and
// reorder any item. Fixed-code dictionaries mirror enums in the code (gender, residence_status,
// unit_kind, scope, assistance): no item is added or disabled. An open dictionary
// (relation_to_head) takes new items, and an item added by an admin may be disabled (hidden from
// forms); built-in items stay enabled. Items are never deleted: records keep their codes.
// Relabelling changes what the console shows, not what imports accept (the sheet's words are
// matched by registry rules of their own). Every change bumps the item's version and is recorded
// in the change log (entity `dictionary_item`); a stale version is kConflict.
// Thread-safety: as PlaceStore (stateless; the caller owns the transaction).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "storage/database.hpp"

namespace steward::registry {

enum class DictionaryCodes { kFixed, kOpen };

// The dictionaries, in the order the console lists them.
std::span<const std::string_view> DictionaryTypes();
// How a dictionary's codes may grow; nullopt for an unknown type.
std::optional<DictionaryCodes> DictionaryCodesOf(std::string_view type);

struct DictionaryItem {
  Id id = 0;
  std::string type;
  std::string code;
  std::string label;
  std::string label_en;
  int64_t sort_order = 0;
  bool enabled = true;
  bool builtin = false;
  int64_t version = 0;
};

struct NewDictionaryItem {
  std::string code;
  std::string label;  // empty: the code
  std::string label_en;
  std::optional<int64_t> sort_order;  // unset: after the last item
};

// Fields of an item to change; unset ones stay.
struct DictionaryItemPatch {
  std::optional<std::string> label;
  std::optional<std::string> label_en;
  std::optional<int64_t> sort_order;
  std::optional<bool> enabled;
};

enum class DisabledItems { kHidden, kShown };

class DictionaryStore {
 public:
  DictionaryStore(IdGenerator& ids, const Clock& clock) : ids_(ids), clock_(clock) {}

  // Items of one dictionary (or of all when `type` is empty), by type, sort order and code.
  static Result<std::vector<DictionaryItem>> List(storage::Connection& connection,
                                                  std::string_view type, DisabledItems disabled);
  // kNotFound for an unknown type; kFailedPrecondition (`dict.fixed_codes`) for a fixed one;
  // kAlreadyExists (`dict.duplicate`); kInvalidArgument for a blank code or label.
  Result<DictionaryItem> Add(storage::WriteTransaction& transaction, std::string_view type,
                             const NewDictionaryItem& item);
  // kNotFound; kConflict when the item is no longer at `expected_version`; kFailedPrecondition
  // when disabling an item of a fixed dictionary (`dict.fixed_codes`) or a built-in one
  // (`dict.builtin`); kInvalidArgument for a blank label.
  Result<DictionaryItem> Update(storage::WriteTransaction& transaction, std::string_view type,
                                std::string_view code, int64_t expected_version,
                                const DictionaryItemPatch& patch);

 private:
  IdGenerator& ids_;
  const Clock& clock_;
};

// Ok when `code` is an enabled item of `type`; otherwise kInvalidArgument with one detail naming
// `field` (`dict.unknown_code`), for request checks.
Status CheckDictionaryCode(storage::Connection& connection, std::string_view type,
                           std::string_view code, std::string_view field);

}  // namespace steward::registry
