// The ledger (电子台账) of a campaign as a spreadsheet: a title block (campaign, script, dates,
// counts) and one row per targeted resident and round — masked phone, attempts, final outcome,
// talk time, one column per question (headed by the ask's `label`, values shown by its `labels`:
// 体温: 正常/发热), the last call's transcript, the last recorded call's file name in the
// recordings folder (录音; the console plays it) — as community offices file
// them. .xlsx (constant memory) or .csv by the file's extension; nothing appears at `path` unless
// it is complete. Transcripts are unsealed only to be written into the file.
#pragma once

#include <filesystem>

#include "campaign/campaign_store.hpp"
#include "crypto/pii_vault.hpp"
#include "storage/database.hpp"

namespace steward::campaign {

// Returns the number of rows written: those of residents whose unit (at the start) is inside
// `scope` (every row for an empty scope). The title block's counts are `funnel`'s.
Result<int64_t> WriteLedger(storage::Database& database, const crypto::PiiVault& vault,
                            const Campaign& campaign, const Funnel& funnel,
                            const std::filesystem::path& path, const UnitScope& scope = {});

}  // namespace steward::campaign
