// Residents: the population registry's people, stored with their personal data sealed.
//
// ID numbers and phones are never stored in plain text: each is sealed by the PiiVault
// (AES-256-GCM, key id inside), hashed with its keyed lookup hash for exact search, and masked for
// display. Every create, update and deletion bumps `version` and records the changed fields in the
// change log (personal fields as sealed values), with the transaction's actor and source. Updates
// name the version they were based on; a stale version is kConflict, never a lost update.
// Thread-safety: ResidentStore is stateless apart from its collaborators (all thread-safe); call it
// with a connection or transaction owned by the calling thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "crypto/pii_vault.hpp"
#include "registry/id_number.hpp"
#include "registry/phone.hpp"
#include "storage/database.hpp"

namespace steward::registry {

enum class ResidenceStatus { kBoth, kResidentOnly, kRegisteredOnly };

const char* ResidenceStatusName(ResidenceStatus status);
// Accepts both / resident_only / registered_only and 户在人在 / 人在户不在 / 户在人不在.
bool ParseResidenceStatus(std::string_view text, ResidenceStatus* status);

struct NewResident {
  Id id = 0;  // 0: a new id is minted
  std::optional<Id> household_id;
  Id unit_id = 0;  // the unit the resident counts under (a micro-grid, or above)
  std::string name;
  Gender gender = Gender::kMale;
  std::optional<Date> birth_date;
  std::string ethnicity;
  std::optional<std::string> id_number;  // normalised by CheckIdNumber
  std::vector<PhoneInfo> phones;         // normalised by NormalizePhone
  std::string hukou_address;
  ResidenceStatus residence_status = ResidenceStatus::kBoth;
  std::string relation_to_head;
  std::vector<std::string> tags;  // tag codes from the dictionary
  std::string notes;
};

struct StoredPhone {
  PhoneKind kind = PhoneKind::kMobile;
  std::string masked;
  std::string sealed;
};

struct Resident {
  Id id = 0;
  std::optional<Id> household_id;
  Id unit_id = 0;
  std::string name;
  Gender gender = Gender::kMale;
  std::optional<std::string> birth_date;
  std::string ethnicity;
  std::optional<std::string> id_number_masked;
  std::optional<std::string> id_number_sealed;
  std::vector<StoredPhone> phones;
  std::string hukou_address;
  ResidenceStatus residence_status = ResidenceStatus::kBoth;
  std::string relation_to_head;
  std::vector<std::string> tags;
  std::string notes;
  std::optional<std::string> deleted_reason;  // set when soft-deleted
  int64_t version = 0;
};

// Fields to change; unset ones stay as they are.
struct ResidentPatch {
  std::optional<std::optional<Id>> household_id;
  std::optional<Id> unit_id;
  std::optional<std::string> name;
  std::optional<Gender> gender;
  std::optional<std::optional<Date>> birth_date;
  std::optional<std::string> ethnicity;
  std::optional<std::optional<std::string>> id_number;  // normalised; nullopt inside = remove
  std::optional<std::vector<PhoneInfo>> phones;
  std::optional<std::string> hukou_address;
  std::optional<ResidenceStatus> residence_status;
  std::optional<std::string> relation_to_head;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> notes;
};

class ResidentStore {
 public:
  ResidentStore(const crypto::PiiVault& vault, IdGenerator& ids, const Clock& clock)
      : vault_(vault), ids_(ids), clock_(clock) {}

  // Inserts residents through the engine's bulk path; returns their ids in order.
  Result<std::vector<Id>> CreateMany(storage::WriteTransaction& transaction,
                                     std::span<const NewResident> residents);
  Result<Id> Create(storage::WriteTransaction& transaction, const NewResident& resident);

  Result<Resident> Get(storage::Connection& connection, Id id);
  // Exact match on a normalised ID number through its lookup hash (not deleted residents).
  Result<std::optional<Id>> FindByIdNumber(storage::Connection& connection,
                                           std::string_view normalized);
  Result<std::vector<Id>> FindByPhone(storage::Connection& connection, std::string_view normalized);

  Result<Resident> Update(storage::WriteTransaction& transaction, Id id, int64_t expected_version,
                          const ResidentPatch& patch);
  Status SoftDelete(storage::WriteTransaction& transaction, Id id, int64_t expected_version,
                    std::string reason);

  // The plain values, for the few callers allowed to see them (audited by the caller).
  Result<std::string> RevealIdNumber(const Resident& resident) const;
  Result<std::string> RevealPhone(const StoredPhone& phone) const;

 private:
  const crypto::PiiVault& vault_;
  IdGenerator& ids_;
  const Clock& clock_;
};

}  // namespace steward::registry
