#include "registry/resident.hpp"

#include <algorithm>

namespace steward::registry {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::Connection;
using storage::RowView;
using storage::Value;
using storage::WriteTransaction;

constexpr std::string_view kIdNumberField = "id_number";
constexpr std::string_view kPhoneField = "phone";

const char* PhoneKindName(PhoneKind kind) {
  return kind == PhoneKind::kMobile ? "mobile" : "landline";
}

struct SealedResident {
  std::optional<std::string> id_sealed, id_hash, id_masked;
  std::vector<StoredPhone> phones;
  std::vector<std::string> phone_hashes;
};

nlohmann::json OptionalJson(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

nlohmann::json PhonesJson(const std::vector<StoredPhone>& phones) {
  auto list = nlohmann::json::array();
  for (const auto& phone : phones) list.push_back(phone.sealed);
  return list;
}

// The change log's fields of a created resident, built straight into the object's map in key order
// (each insert lands at the end). The initializer-list form, run once per imported row, built a
// two-element array per field first and then copied each key and value out of it. Takes the
// sealed ID number, which the caller no longer needs.
nlohmann::json CreatedFields(const NewResident& resident, const std::optional<std::string>& birth,
                             std::optional<std::string> id_sealed,
                             const std::vector<StoredPhone>& phones) {
  nlohmann::json fields = nlohmann::json::object();
  auto& object = fields.get_ref<nlohmann::json::object_t&>();
  const auto add = [&object](std::string_view key, nlohmann::json value) {
    object.emplace_hint(object.end(), key, std::move(value));
  };
  add("birth_date", OptionalJson(birth));
  add("ethnicity", resident.ethnicity);
  add("gender", GenderCode(resident.gender));
  add("household_id",
      resident.household_id ? nlohmann::json(*resident.household_id) : nlohmann::json());
  add("hukou_address", resident.hukou_address);
  add("id_number", id_sealed ? nlohmann::json(std::move(*id_sealed)) : nlohmann::json());
  add("name", resident.name);
  add("notes", resident.notes);
  add("phones", PhonesJson(phones));
  add("relation_to_head", resident.relation_to_head);
  add("residence_status", ResidenceStatusName(resident.residence_status));
  add("tags", resident.tags);
  add("unit_id", resident.unit_id);
  return fields;
}

}  // namespace

const char* ResidenceStatusName(ResidenceStatus status) {
  switch (status) {
    case ResidenceStatus::kBoth:
      return "both";
    case ResidenceStatus::kResidentOnly:
      return "resident_only";
    case ResidenceStatus::kRegisteredOnly:
      return "registered_only";
  }
  return "both";
}

bool ParseResidenceStatus(std::string_view text, ResidenceStatus* status) {
  if (text == "both" || text == "户在人在") {
    *status = ResidenceStatus::kBoth;
  } else if (text == "resident_only" || text == "人在户不在") {
    *status = ResidenceStatus::kResidentOnly;
  } else if (text == "registered_only" || text == "户在人不在") {
    *status = ResidenceStatus::kRegisteredOnly;
  } else {
    return false;
  }
  return true;
}

Result<std::vector<Id>> ResidentStore::CreateMany(WriteTransaction& transaction,
                                                  std::span<const NewResident> residents) {
  Connection& connection = transaction.connection();
  static constexpr std::string_view kResidentColumns[] = {"id",
                                                          "household_id",
                                                          "unit_id",
                                                          "name",
                                                          "gender",
                                                          "birth_date",
                                                          "ethnicity",
                                                          "id_number_sealed",
                                                          "id_number_hash",
                                                          "id_number_masked",
                                                          "hukou_address",
                                                          "residence_status",
                                                          "relation_to_head",
                                                          "notes",
                                                          "version",
                                                          "created_at",
                                                          "updated_at"};
  static constexpr std::string_view kPhoneColumns[] = {
      "resident_id", "position", "kind", "phone_sealed", "phone_hash", "phone_masked"};
  static constexpr std::string_view kTagColumns[] = {"resident_id", "tag_code"};
  STEWARD_ASSIGN_OR_RETURN(auto resident_rows,
                           connection.BeginBulkInsert("resident", kResidentColumns));
  const int64_t now = clock_.NowMillis();
  std::vector<Id> ids;
  ids.reserve(residents.size());
  std::vector<std::pair<Id, SealedResident>> sealed_all;
  sealed_all.reserve(residents.size());
  for (const auto& resident : residents) {
    if (resident.name.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "a resident needs a name",
                  {{"name", "required", "姓名必填"}});
    }
    const Id id = resident.id ? resident.id : ids_.Next();
    SealedResident sealed;
    if (resident.id_number) {
      sealed.id_sealed = vault_.Seal(kIdNumberField, *resident.id_number);
      sealed.id_hash = vault_.LookupHash(kIdNumberField, *resident.id_number);
      sealed.id_masked = MaskIdNumber(*resident.id_number);
    }
    for (const auto& phone : resident.phones) {
      sealed.phones.push_back(
          {phone.kind, MaskPhone(phone), vault_.Seal(kPhoneField, phone.normalized)});
      sealed.phone_hashes.push_back(vault_.LookupHash(kPhoneField, phone.normalized));
    }
    const std::optional<std::string> birth =
        resident.birth_date ? std::optional(resident.birth_date->ToString()) : std::nullopt;
    const Value row[] = {id,
                         storage::OrNull(resident.household_id),
                         resident.unit_id,
                         std::string_view(resident.name),
                         GenderCode(resident.gender),
                         storage::OrNull(birth),
                         std::string_view(resident.ethnicity),
                         storage::OrNull(sealed.id_sealed),
                         storage::OrNull(sealed.id_hash),
                         storage::OrNull(sealed.id_masked),
                         std::string_view(resident.hukou_address),
                         ResidenceStatusName(resident.residence_status),
                         std::string_view(resident.relation_to_head),
                         std::string_view(resident.notes),
                         int64_t{1},
                         now,
                         now};
    STEWARD_TRY(resident_rows->Add(row));
    transaction.RecordChange(
        ChangeRecord{"resident", id, 1, ChangeOp::kCreate,
                     CreatedFields(resident, birth, std::move(sealed.id_sealed), sealed.phones)});
    ids.push_back(id);
    sealed_all.emplace_back(id, std::move(sealed));
  }
  STEWARD_TRY(resident_rows->Finish());
  resident_rows.reset();
  STEWARD_ASSIGN_OR_RETURN(auto phone_rows,
                           connection.BeginBulkInsert("resident_phone", kPhoneColumns));
  for (const auto& [id, sealed] : sealed_all) {
    for (size_t i = 0; i < sealed.phones.size(); ++i) {
      const Value row[] = {id,
                           static_cast<int64_t>(i),
                           PhoneKindName(sealed.phones[i].kind),
                           std::string_view(sealed.phones[i].sealed),
                           std::string_view(sealed.phone_hashes[i]),
                           std::string_view(sealed.phones[i].masked)};
      STEWARD_TRY(phone_rows->Add(row));
    }
  }
  STEWARD_TRY(phone_rows->Finish());
  phone_rows.reset();
  STEWARD_ASSIGN_OR_RETURN(auto tag_rows, connection.BeginBulkInsert("resident_tag", kTagColumns));
  for (size_t r = 0; r < residents.size(); ++r) {
    std::vector<std::string> tags = residents[r].tags;
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    for (const auto& tag : tags) {
      const Value row[] = {ids[r], std::string_view(tag)};
      STEWARD_TRY(tag_rows->Add(row));
    }
  }
  STEWARD_TRY(tag_rows->Finish());
  return ids;
}

Result<Id> ResidentStore::Create(WriteTransaction& transaction, const NewResident& resident) {
  STEWARD_ASSIGN_OR_RETURN(auto ids, CreateMany(transaction, std::span(&resident, 1)));
  return ids.front();
}

Result<Resident> ResidentStore::Get(Connection& connection, Id id) {
  std::optional<Resident> found;
  const Value params[] = {id};
  STEWARD_TRY(connection.QueryEach(
      "SELECT id, household_id, unit_id, name, gender, birth_date, ethnicity, id_number_masked, "
      "id_number_sealed, hukou_address, residence_status, relation_to_head, notes, "
      "deleted_reason, version FROM resident WHERE id = ?",
      params, [&](const RowView& row) {
        Resident r;
        r.id = row.Int(0);
        r.household_id = row.OptInt(1);
        r.unit_id = row.Int(2);
        r.name = row.Text(3);
        ParseGender(row.Text(4), &r.gender);
        r.birth_date = row.OptText(5);
        r.ethnicity = row.Text(6);
        r.id_number_masked = row.OptText(7);
        r.id_number_sealed = row.OptText(8);
        r.hukou_address = row.Text(9);
        ParseResidenceStatus(row.Text(10), &r.residence_status);
        r.relation_to_head = row.Text(11);
        r.notes = row.Text(12);
        r.deleted_reason = row.OptText(13);
        r.version = row.Int(14);
        found = std::move(r);
      }));
  if (!found) return Fail(ErrorCode::kNotFound, "no resident with id " + std::to_string(id));
  STEWARD_TRY(connection.QueryEach(
      "SELECT kind, phone_masked, phone_sealed FROM resident_phone WHERE resident_id = ? "
      "ORDER BY position",
      params, [&](const RowView& row) {
        found->phones.push_back(
            {row.Text(0) == "mobile" ? PhoneKind::kMobile : PhoneKind::kLandline,
             std::string(row.Text(1)), std::string(row.Text(2))});
      }));
  STEWARD_TRY(connection.QueryEach(
      "SELECT tag_code FROM resident_tag WHERE resident_id = ? ORDER BY tag_code", params,
      [&](const RowView& row) { found->tags.emplace_back(row.Text(0)); }));
  return *found;
}

Result<std::optional<Id>> ResidentStore::FindByIdNumber(Connection& connection,
                                                        std::string_view normalized) {
  const std::string hash = vault_.LookupHash(kIdNumberField, normalized);
  STEWARD_ASSIGN_OR_RETURN(
      auto id,
      connection.QueryInt("SELECT id FROM resident WHERE id_number_hash = ? AND deleted_at IS NULL",
                          {hash}));
  return id;
}

Result<std::vector<Id>> ResidentStore::FindByPhone(Connection& connection,
                                                   std::string_view normalized) {
  std::vector<Id> ids;
  const std::string hash = vault_.LookupHash(kPhoneField, normalized);
  const Value params[] = {hash};
  STEWARD_TRY(connection.QueryEach(
      "SELECT DISTINCT p.resident_id FROM resident_phone p JOIN resident r ON r.id = "
      "p.resident_id WHERE p.phone_hash = ? AND r.deleted_at IS NULL ORDER BY p.resident_id",
      params, [&](const RowView& row) { ids.push_back(row.Int(0)); }));
  return ids;
}

Result<Resident> ResidentStore::Update(WriteTransaction& transaction, Id id,
                                       int64_t expected_version, const ResidentPatch& patch) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(Resident before, Get(connection, id));
  if (before.deleted_reason) {
    return Fail(ErrorCode::kFailedPrecondition, "resident " + std::to_string(id) + " is deleted");
  }
  if (before.version != expected_version) {
    return Fail(ErrorCode::kConflict,
                "resident " + std::to_string(id) + " changed since version " +
                    std::to_string(expected_version) + " (now " + std::to_string(before.version) +
                    ")",
                {{"version", "stale_version", "记录已被他人修改，请刷新后重试"}});
  }
  // Lock the row at the version read before touching phones and tags, so a concurrent update
  // from the same version waits here and then fails as a conflict (not on a phone's key).
  STEWARD_ASSIGN_OR_RETURN(
      int64_t locked,
      connection.Execute("UPDATE resident SET version = version WHERE id = ? AND version = ?",
                         {id, expected_version}));
  if (locked != 1) {
    return Fail(ErrorCode::kConflict, "resident " + std::to_string(id) + " changed meanwhile",
                {{"version", "stale_version", "记录已被他人修改，请刷新后重试"}});
  }
  nlohmann::json fields = nlohmann::json::object();
  std::vector<std::string> sets;
  std::vector<Value> params;
  auto change = [&](const char* column, nlohmann::json old_value, nlohmann::json new_value,
                    Value stored) {
    if (old_value == new_value) return;
    fields[column] = {{"old", std::move(old_value)}, {"new", std::move(new_value)}};
    sets.push_back(std::string(column) + " = ?");
    params.push_back(std::move(stored));
  };
  auto opt_json = [](const std::optional<int64_t>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  if (patch.household_id) {
    change("household_id", opt_json(before.household_id), opt_json(*patch.household_id),
           storage::OrNull(*patch.household_id));
  }
  if (patch.unit_id) change("unit_id", before.unit_id, *patch.unit_id, *patch.unit_id);
  if (patch.name) change("name", before.name, *patch.name, *patch.name);
  if (patch.gender) {
    change("gender", GenderCode(before.gender), GenderCode(*patch.gender),
           std::string(GenderCode(*patch.gender)));
  }
  if (patch.birth_date) {
    const std::optional<std::string> birth =
        *patch.birth_date ? std::optional((*patch.birth_date)->ToString()) : std::nullopt;
    change("birth_date", OptionalJson(before.birth_date), OptionalJson(birth),
           storage::OrNull(birth));
  }
  if (patch.ethnicity) change("ethnicity", before.ethnicity, *patch.ethnicity, *patch.ethnicity);
  if (patch.hukou_address) {
    change("hukou_address", before.hukou_address, *patch.hukou_address, *patch.hukou_address);
  }
  if (patch.residence_status) {
    change("residence_status", ResidenceStatusName(before.residence_status),
           ResidenceStatusName(*patch.residence_status),
           std::string(ResidenceStatusName(*patch.residence_status)));
  }
  if (patch.relation_to_head) {
    change("relation_to_head", before.relation_to_head, *patch.relation_to_head,
           *patch.relation_to_head);
  }
  if (patch.notes) change("notes", before.notes, *patch.notes, *patch.notes);
  if (patch.id_number) {
    // Compare plain values: two seals of one number differ (fresh nonces).
    std::optional<std::string> old_plain;
    if (before.id_number_sealed) {
      STEWARD_ASSIGN_OR_RETURN(old_plain, RevealIdNumber(before));
    }
    if (old_plain != *patch.id_number) {
      const auto& plain = *patch.id_number;
      const std::optional<std::string> sealed =
          plain ? std::optional(vault_.Seal(kIdNumberField, *plain)) : std::nullopt;
      fields["id_number"] = {{"old", OptionalJson(before.id_number_sealed)},
                             {"new", OptionalJson(sealed)}};
      sets.push_back("id_number_sealed = ?");
      params.push_back(storage::OrNull(sealed));
      sets.push_back("id_number_hash = ?");
      params.push_back(plain ? Value(vault_.LookupHash(kIdNumberField, *plain)) : Value(nullptr));
      sets.push_back("id_number_masked = ?");
      params.push_back(plain ? Value(MaskIdNumber(*plain)) : Value(nullptr));
    }
  }
  if (patch.phones) {
    std::vector<std::string> old_plain;
    for (const auto& phone : before.phones) {
      STEWARD_ASSIGN_OR_RETURN(auto plain, RevealPhone(phone));
      old_plain.push_back(std::move(plain));
    }
    std::vector<std::string> new_plain;
    for (const auto& phone : *patch.phones) new_plain.push_back(phone.normalized);
    if (old_plain != new_plain) {
      STEWARD_TRY(connection.Execute("DELETE FROM resident_phone WHERE resident_id = ?", {id}));
      std::vector<StoredPhone> stored;
      for (size_t i = 0; i < patch.phones->size(); ++i) {
        const PhoneInfo& phone = (*patch.phones)[i];
        stored.push_back(
            {phone.kind, MaskPhone(phone), vault_.Seal(kPhoneField, phone.normalized)});
        STEWARD_TRY(connection.Execute(
            "INSERT INTO resident_phone (resident_id, position, kind, phone_sealed, phone_hash, "
            "phone_masked) VALUES (?, ?, ?, ?, ?, ?)",
            {id, static_cast<int64_t>(i), PhoneKindName(phone.kind), stored.back().sealed,
             vault_.LookupHash(kPhoneField, phone.normalized), stored.back().masked}));
      }
      fields["phones"] = {{"old", PhonesJson(before.phones)}, {"new", PhonesJson(stored)}};
    }
  }
  if (patch.tags) {
    std::vector<std::string> tags = *patch.tags;
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    if (tags != before.tags) {
      STEWARD_TRY(connection.Execute("DELETE FROM resident_tag WHERE resident_id = ?", {id}));
      for (const auto& tag : tags) {
        STEWARD_TRY(connection.Execute(
            "INSERT INTO resident_tag (resident_id, tag_code) VALUES (?, ?)", {id, tag}));
      }
      fields["tags"] = {{"old", before.tags}, {"new", tags}};
    }
  }
  if (fields.empty()) return before;
  sets.push_back("version = ?");
  params.push_back(before.version + 1);
  sets.push_back("updated_at = ?");
  params.push_back(clock_.NowMillis());
  std::string sql = "UPDATE resident SET ";
  for (size_t i = 0; i < sets.size(); ++i) sql += (i ? ", " : "") + sets[i];
  sql += " WHERE id = ? AND version = ?";
  params.push_back(id);
  params.push_back(expected_version);
  STEWARD_ASSIGN_OR_RETURN(int64_t changed, connection.Execute(sql, params));
  if (changed != 1) {
    return Fail(ErrorCode::kConflict, "resident " + std::to_string(id) + " changed meanwhile",
                {{"version", "stale_version", "记录已被他人修改，请刷新后重试"}});
  }
  transaction.RecordChange(
      ChangeRecord{"resident", id, before.version + 1, ChangeOp::kUpdate, std::move(fields)});
  return Get(connection, id);
}

Status ResidentStore::SoftDelete(WriteTransaction& transaction, Id id, int64_t expected_version,
                                 std::string reason) {
  if (reason.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "a deletion needs a reason",
                {{"reason", "required", "请填写删除原因"}});
  }
  const int64_t now = clock_.NowMillis();
  STEWARD_ASSIGN_OR_RETURN(
      int64_t changed,
      transaction.connection().Execute(
          "UPDATE resident SET deleted_at = ?, deleted_reason = ?, version = version + 1, "
          "updated_at = ? WHERE id = ? AND version = ? AND deleted_at IS NULL",
          {now, reason, now, id, expected_version}));
  if (changed != 1) {
    return Fail(ErrorCode::kConflict, "resident " + std::to_string(id) +
                                          " is deleted or changed since version " +
                                          std::to_string(expected_version));
  }
  transaction.RecordChange(ChangeRecord{
      "resident", id, expected_version + 1, ChangeOp::kDelete, {{"deleted_reason", reason}}});
  return Ok();
}

Result<std::string> ResidentStore::RevealIdNumber(const Resident& resident) const {
  if (!resident.id_number_sealed) return Fail(ErrorCode::kNotFound, "no ID number on record");
  return vault_.Open(kIdNumberField, *resident.id_number_sealed);
}

Result<std::string> ResidentStore::RevealPhone(const StoredPhone& phone) const {
  return vault_.Open(kPhoneField, phone.sealed);
}

}  // namespace steward::registry
