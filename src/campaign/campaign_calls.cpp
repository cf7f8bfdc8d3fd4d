// CampaignStore: what calls write (claims, answers, ends, recovery) and round bookkeeping.
#include <set>
#include <unordered_map>

#include "base/log.hpp"
#include "campaign/campaign_store.hpp"

namespace steward::campaign {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::Engine;
using storage::RowView;
using storage::Value;
using storage::WriteTransaction;

constexpr std::string_view kPhoneField = "phone";
constexpr std::string_view kTranscriptField = "transcript";
constexpr int64_t kDayMs = 86'400'000;
// Whether any target of a campaign is still to be called or in a call (one index probe).
constexpr const char* kAnyTargetOpen =
    "SELECT 1 FROM campaign_target WHERE campaign_id = ? AND state IN ('pending', 'retry', "
    "'in_call') LIMIT 1";

std::string InList(size_t count) {
  std::string in;
  for (size_t i = 0; i < count; ++i) in += i == 0 ? "?" : ", ?";
  return in;
}

Status AddTask(WriteTransaction& transaction, IdGenerator& ids, Id campaign_id, Id resident_id,
               Id unit_id, const std::string& kind, const std::string& detail, int64_t now) {
  const Id id = ids.Next();
  STEWARD_TRY(transaction.connection().Execute(
      "INSERT INTO follow_up_task (id, campaign_id, resident_id, unit_id, kind, detail, state, "
      "version, created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', 1, ?)",
      std::vector<Value>{id, campaign_id, resident_id, unit_id, kind, detail, now}));
  transaction.RecordChange(ChangeRecord{"follow_up_task",
                                        id,
                                        1,
                                        ChangeOp::kCreate,
                                        {{"campaign_id", campaign_id},
                                         {"resident_id", resident_id},
                                         {"kind", kind},
                                         {"detail", detail}}});
  return Ok();
}

}  // namespace

Result<Variables> UnitVariables(storage::Connection& connection, const crypto::PiiVault& vault,
                                Id unit_id) {
  Variables variables;
  std::string path;
  STEWARD_TRY(connection.QueryEach("SELECT path FROM org_unit WHERE id = ?",
                                   std::vector<Value>{unit_id},
                                   [&](const RowView& row) { path = std::string(row.Text(0)); }));
  std::vector<Value> ancestors;
  for (size_t at = 1; at < path.size();) {
    const size_t slash = path.find('/', at);
    if (slash == std::string::npos) break;
    ancestors.emplace_back(static_cast<int64_t>(std::stoll(path.substr(at, slash - at))));
    at = slash + 1;
  }
  if (ancestors.empty()) return variables;
  Id grid = 0;
  STEWARD_TRY(connection.QueryEach(
      "SELECT id, kind, name FROM org_unit WHERE id IN (" + InList(ancestors.size()) + ")",
      ancestors, [&](const RowView& row) {
        const std::string_view kind = row.Text(1);
        if (kind == "street") variables["street"] = std::string(row.Text(2));
        if (kind == "community") {
          variables["community"] = std::string(row.Text(2));
          variables["caller"] = std::string(row.Text(2)) + "居民委员会";
        }
        if (kind == "grid") {
          variables["grid"] = std::string(row.Text(2));
          grid = row.Int(0);
        }
      }));
  if (grid != 0) {
    std::optional<std::string> sealed;
    STEWARD_TRY(connection.QueryEach(
        "SELECT name, phone_sealed FROM unit_staff WHERE unit_id = ? AND role = 'grid_worker' AND "
        "valid_to IS NULL ORDER BY id LIMIT 1",
        std::vector<Value>{grid}, [&](const RowView& row) {
          variables["grid_worker"] = std::string(row.Text(0));
          if (!row.IsNull(1)) sealed = std::string(row.Text(1));
        }));
    if (sealed) {
      auto phone = vault.Open(kPhoneField, *sealed);
      if (phone) variables["grid_worker_phone"] = *phone;
    }
  }
  return variables;
}

Status CampaignStore::Advance(const storage::WriteContext& context, const Campaign& campaign,
                              int64_t now) {
  if (campaign.state != CampaignState::kRunning) return Ok();
  const int round = campaign.schedule.RoundAt(now);
  const bool over = now >= campaign.schedule.EndMillis();
  const bool last_round =
      over || std::max(round, campaign.current_round) + 1 >= campaign.schedule.RoundCount();
  if (round <= campaign.current_round && !over) {
    // Nothing to start or expire: write only when the campaign is complete.
    if (!last_round) return Ok();
    int64_t open = 0;
    STEWARD_TRY(database_.Read([&](storage::Connection& connection) {
      return connection.QueryEach(kAnyTargetOpen, std::vector<Value>{campaign.id},
                                  [&](const RowView& row) { open = row.Int(0); });
    }));
    if (open > 0) return Ok();
  }
  return database_
      .Write(context,
             [&](WriteTransaction& transaction) -> Status {
               auto& connection = transaction.connection();
               if (round > campaign.current_round) {
                 // Earlier rounds' unreached targets are over; the new round starts from round
                 // 0's audience (phones decided at the start stay decided).
                 STEWARD_TRY(connection.Execute(
                     "UPDATE campaign_target SET state = 'done', outcome = 'expired', "
                     "finished_at = ? WHERE campaign_id = ? AND round < ? AND state IN "
                     "('pending', 'retry')",
                     std::vector<Value>{now, campaign.id, int64_t{round}}));
                 STEWARD_TRY(connection.Execute(
                     "INSERT INTO campaign_target (campaign_id, round, resident_id, seq, unit_id, "
                     "address, phone_sealed, phone_hash, phone_masked, state, attempts, next_at, "
                     "outcome, talk_ms, finished_at) SELECT campaign_id, ?, resident_id, seq, "
                     "unit_id, address, phone_sealed, phone_hash, phone_masked, CASE WHEN outcome "
                     "IN ('no_phone', 'duplicate_phone') THEN 'done' ELSE 'pending' END, 0, ?, "
                     "CASE WHEN outcome IN ('no_phone', 'duplicate_phone') THEN outcome END, 0, "
                     "CASE WHEN outcome IN ('no_phone', 'duplicate_phone') THEN ? END FROM "
                     "campaign_target WHERE campaign_id = ? AND round = 0",
                     std::vector<Value>{int64_t{round}, campaign.schedule.RoundStart(round), now,
                                        campaign.id}));
                 STEWARD_TRY(connection.Execute(
                     "UPDATE campaign SET current_round = ?, updated_at = ? WHERE id = ?",
                     std::vector<Value>{int64_t{round}, now, campaign.id}));
               }
               if (over) {
                 STEWARD_TRY(connection.Execute(
                     "UPDATE campaign_target SET state = 'done', outcome = 'expired', "
                     "finished_at = ? WHERE campaign_id = ? AND state IN ('pending', 'retry')",
                     std::vector<Value>{now, campaign.id}));
               }
               if (!last_round) return Ok();
               int64_t open = 0;
               STEWARD_TRY(connection.QueryEach(kAnyTargetOpen, std::vector<Value>{campaign.id},
                                                [&](const RowView& row) { open = row.Int(0); }));
               if (open > 0) return Ok();
               STEWARD_ASSIGN_OR_RETURN(
                   int64_t changed,
                   connection.Execute("UPDATE campaign SET state = 'completed', finished_at = ?, "
                                      "updated_at = ?, version = version + 1 WHERE id = ? AND "
                                      "state = 'running'",
                                      std::vector<Value>{now, now, campaign.id}));
               if (changed == 1) {
                 transaction.RecordChange(
                     ChangeRecord{"campaign",
                                  campaign.id,
                                  campaign.version + 1,
                                  ChangeOp::kUpdate,
                                  {{"state", {{"old", "running"}, {"new", "completed"}}}}});
               }
               return Ok();
             })
      .transform([](int64_t) {});
}

Result<std::vector<Claim>> CampaignStore::ClaimDue(const storage::WriteContext& context,
                                                   const Campaign& campaign,
                                                   const std::string& node, int limit,
                                                   int64_t now) {
  std::vector<Claim> claims;
  if (limit <= 0) return claims;
  const Date today = LocalDate(now);
  const int64_t day_start = LocalMidnight(today);
  const int64_t week_start = day_start - int64_t{Weekday(today)} * kDayMs;
  const int64_t end = campaign.schedule.EndMillis();
  STEWARD_TRY(database_.Write(context, [&](WriteTransaction& transaction) -> Status {
    claims.clear();
    auto& connection = transaction.connection();
    struct Due {
      int64_t round;
      Id resident;
      Id unit;
      std::string address, sealed, hash;
      int64_t attempts;
    };
    std::vector<Due> due;
    // Due retries first, then first attempts, each in next_at order straight off the index
    // (campaign_id, state, next_at): no sort of every due row on each tick.
    for (const char* state : {"retry", "pending"}) {
      const int64_t room = int64_t{limit} - static_cast<int64_t>(due.size());
      if (room <= 0) break;
      std::string sql =
          "SELECT round, resident_id, unit_id, address, phone_sealed, phone_hash, attempts FROM "
          "campaign_target WHERE campaign_id = ? AND state = ? AND next_at <= ? ORDER BY next_at "
          "LIMIT ?";
      // Several nodes on one PostgreSQL: each takes rows no other node holds, without waiting.
      if (connection.engine() == Engine::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
      STEWARD_TRY(connection.QueryEach(
          sql, std::vector<Value>{campaign.id, state, now, room}, [&](const RowView& row) {
            due.push_back({row.Int(0), row.Int(1), row.Int(2), std::string(row.Text(3)),
                           std::string(row.Text(4)), std::string(row.Text(5)), row.Int(6)});
          }));
    }
    if (due.empty()) return Ok();
    std::vector<Value> hashes, residents;
    for (const auto& target : due) {
      hashes.emplace_back(target.hash);
      residents.emplace_back(target.resident);
    }
    std::set<std::string> blocked;
    STEWARD_TRY(connection.QueryEach(
        "SELECT phone_hash FROM do_not_call WHERE phone_hash IN (" + InList(hashes.size()) + ")",
        hashes, [&](const RowView& row) { blocked.emplace(row.Text(0)); }));
    std::unordered_map<Id, std::pair<int64_t, int64_t>> calls;  // resident -> (today, this week)
    std::vector<Value> params = {day_start};
    params.insert(params.end(), residents.begin(), residents.end());
    params.emplace_back(week_start);
    STEWARD_TRY(connection.QueryEach(
        "SELECT resident_id, sum(CASE WHEN started_at >= ? THEN 1 ELSE 0 END), count(*) FROM "
        "call_attempt WHERE resident_id IN (" +
            InList(residents.size()) + ") AND started_at >= ? GROUP BY resident_id",
        params, [&](const RowView& row) {
          calls[row.Int(0)] = {row.Int(1), row.Int(2)};
        }));
    for (const auto& target : due) {
      const std::vector<Value> key = {campaign.id, target.round, target.resident};
      auto finish = [&](Outcome outcome) -> Status {
        return connection
            .Execute(
                "UPDATE campaign_target SET state = 'done', outcome = ?, finished_at = ? "
                "WHERE campaign_id = ? AND round = ? AND resident_id = ?",
                std::vector<Value>{std::string(OutcomeName(outcome)), now, key[0], key[1], key[2]})
            .transform([](int64_t) {});
      };
      if (blocked.count(target.hash) > 0) {
        STEWARD_TRY(finish(Outcome::kOnDoNotCallList));
        continue;
      }
      const auto [today_calls, week_calls] = calls[target.resident];
      if (today_calls >= campaign.policy.per_day_cap ||
          week_calls >= campaign.policy.per_week_cap) {
        const int64_t next = week_calls >= campaign.policy.per_week_cap ? week_start + 7 * kDayMs
                                                                        : day_start + kDayMs;
        if (next >= end) {
          STEWARD_TRY(finish(Outcome::kCapped));
        } else {
          STEWARD_TRY(connection.Execute(
              "UPDATE campaign_target SET next_at = ? WHERE campaign_id = ? AND round = ? AND "
              "resident_id = ?",
              std::vector<Value>{next, key[0], key[1], key[2]}));
        }
        continue;
      }
      auto phone = vault_.Open(kPhoneField, target.sealed);
      if (!phone) {
        spdlog::warn("campaign {}: the phone of a target cannot be opened ({}); not called",
                     campaign.id, phone.error().ToString());
        STEWARD_TRY(finish(Outcome::kNoPhone));
        continue;
      }
      Claim claim{campaign.id,
                  static_cast<int>(target.round),
                  target.resident,
                  ids_.Next(),
                  static_cast<int>(target.attempts + 1),
                  target.unit,
                  target.address,
                  std::move(*phone)};
      STEWARD_TRY(connection.Execute(
          "INSERT INTO call_attempt (id, campaign_id, round, resident_id, attempt, node, "
          "started_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
          std::vector<Value>{claim.attempt_id, campaign.id, target.round, target.resident,
                             int64_t{claim.attempt}, node, now}));
      STEWARD_TRY(connection.Execute(
          "UPDATE campaign_target SET state = 'in_call', attempts = attempts + 1, claimed_by = ? "
          "WHERE campaign_id = ? AND round = ? AND resident_id = ?",
          std::vector<Value>{node, key[0], key[1], key[2]}));
      ++calls[target.resident].first;
      ++calls[target.resident].second;
      claims.push_back(std::move(claim));
    }
    return Ok();
  }));
  return claims;
}

Status CampaignStore::CommitAnswer(const storage::WriteContext& context, const Claim& claim,
                                   const Answer& answer) {
  return database_
      .Write(context,
             [&](WriteTransaction& transaction) -> Status {
               return transaction.connection()
                   .Execute(
                       "INSERT INTO call_answer (attempt_id, slot, campaign_id, round, "
                       "resident_id, node_id, value, via, raw_sealed, tries, at) VALUES (?, ?, ?, "
                       "?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (attempt_id, slot) DO UPDATE SET "
                       "node_id = excluded.node_id, value = excluded.value, via = excluded.via, "
                       "raw_sealed = excluded.raw_sealed, tries = excluded.tries, at = excluded.at",
                       std::vector<Value>{claim.attempt_id, answer.slot, claim.campaign_id,
                                          int64_t{claim.round}, claim.resident_id, answer.node_id,
                                          answer.value,
                                          answer.via == AnswerVia::kKeypad ? "keypad" : "speech",
                                          vault_.Seal(kTranscriptField, answer.raw),
                                          int64_t{answer.tries}, answer.at_ms})
                   .transform([](int64_t) {});
             })
      .transform([](int64_t) {});
}

Status CampaignStore::FinishAttempt(const storage::WriteContext& context, const Campaign& campaign,
                                    const Claim& claim, const CallResult& result, int64_t now) {
  return database_
      .Write(
          context,
          [&](WriteTransaction& transaction) -> Status {
            auto& connection = transaction.connection();
            const std::string outcome_name(OutcomeName(result.outcome));
            const bool answered = result.answered_at_ms > 0;
            STEWARD_ASSIGN_OR_RETURN(
                int64_t changed,
                connection.Execute(
                    "UPDATE call_attempt SET answered_at = ?, ended_at = ?, outcome = ?, last_node "
                    "= "
                    "?, transcript_sealed = ?, recording = ? WHERE id = ? AND outcome IS NULL",
                    std::vector<Value>{
                        answered ? Value(result.answered_at_ms) : Value(nullptr), now, outcome_name,
                        result.last_node,
                        vault_.Seal(kTranscriptField,
                                    CallResultToJson(result)["transcript"].dump()),
                        result.recording.empty() ? Value(nullptr) : Value(result.recording),
                        claim.attempt_id}));
            if (changed != 1) return Ok();  // already ended (recovered after a restart)
            std::string state = "running";
            STEWARD_TRY(connection.QueryEach(
                "SELECT state FROM campaign WHERE id = ?", std::vector<Value>{campaign.id},
                [&](const RowView& row) { state = std::string(row.Text(0)); }));
            const bool retry = RetryFor(result.outcome) == RetryRule::kRetryAfterInterval &&
                               claim.attempt < campaign.policy.max_attempts;
            const int64_t next =
                now + int64_t{campaign.policy.RetryAfterMinutes(result.outcome)} * 60'000;
            Outcome final = result.outcome;
            bool done = !retry || next >= campaign.schedule.EndMillis();
            if (!done && state == "cancelled") {
              final = Outcome::kCancelled;
              done = true;
            }
            const int64_t talk = answered ? result.ended_at_ms - result.answered_at_ms : 0;
            STEWARD_TRY(connection.Execute(
                "UPDATE campaign_target SET state = ?, next_at = ?, last_outcome = ?, outcome = ?, "
                "claimed_by = NULL, talk_ms = talk_ms + ?, finished_at = ? WHERE campaign_id = ? "
                "AND "
                "round = ? AND resident_id = ?",
                std::vector<Value>{done ? "done" : "retry", done ? now : next, outcome_name,
                                   done ? Value(std::string(OutcomeName(final))) : Value(nullptr),
                                   talk, done ? Value(now) : Value(nullptr), campaign.id,
                                   int64_t{claim.round}, claim.resident_id}));
            if (result.outcome == Outcome::kOptedOut) {
              std::string hash;
              STEWARD_TRY(connection.QueryEach(
                  "SELECT phone_hash FROM campaign_target WHERE campaign_id = ? AND round = ? AND "
                  "resident_id = ?",
                  std::vector<Value>{campaign.id, int64_t{claim.round}, claim.resident_id},
                  [&](const RowView& row) { hash = std::string(row.Text(0)); }));
              STEWARD_TRY(connection.Execute(
                  "INSERT INTO do_not_call (phone_hash, resident_id, source, created_at) VALUES "
                  "(?, "
                  "?, ?, ?) ON CONFLICT (phone_hash) DO NOTHING",
                  std::vector<Value>{hash, claim.resident_id,
                                     "call:" + std::to_string(claim.attempt_id), now}));
              // Keyed by each resident with that phone (a household's shared landline opts out
              // all of them), so the segment model marks them opted out at its next catch-up.
              std::set<Id> sharing{claim.resident_id};
              STEWARD_TRY(connection.QueryEach(
                  "SELECT DISTINCT resident_id FROM resident_phone WHERE phone_hash = ?",
                  std::vector<Value>{hash},
                  [&](const RowView& row) { sharing.insert(row.Int(0)); }));
              for (const Id resident : sharing) {
                transaction.RecordChange(
                    ChangeRecord{"do_not_call",
                                 resident,
                                 1,
                                 ChangeOp::kCreate,
                                 {{"source", "call"}, {"attempt_id", claim.attempt_id}}});
              }
            }
            for (const auto& follow_up : result.follow_ups) {
              STEWARD_TRY(AddTask(transaction, ids_, campaign.id, claim.resident_id, claim.unit_id,
                                  "answer", follow_up.task, now));
            }
            if (done) {
              const std::string tries = "拨打 " + std::to_string(claim.attempt) + " 次";
              switch (final) {
                case Outcome::kNoAnswer:
                case Outcome::kBusy:
                case Outcome::kFailedRetryable:
                  STEWARD_TRY(AddTask(transaction, ids_, campaign.id, claim.resident_id,
                                      claim.unit_id, "unreachable",
                                      tries + "未接通（最后一次：" +
                                          std::string(OutcomeLabel(final)) + "），请上门走访",
                                      now));
                  break;
                case Outcome::kInvalidNumber:
                  STEWARD_TRY(AddTask(transaction, ids_, campaign.id, claim.resident_id,
                                      claim.unit_id, "unreachable",
                                      "电话号码为空号，请上门核实并更新电话", now));
                  break;
                case Outcome::kDeclined:
                case Outcome::kHungUpDuringOpening:
                  STEWARD_TRY(AddTask(transaction, ids_, campaign.id, claim.resident_id,
                                      claim.unit_id, "refused",
                                      tries + "均被拒接或挂断（" +
                                          std::string(OutcomeLabel(final)) + "），请上门了解情况",
                                      now));
                  break;
                default:
                  break;
              }
            }
            for (const auto& proposed : result.updates) {
              const Id id = ids_.Next();
              // A personal value (a new phone) is stored masked, and sealed for the reviewer.
              const std::string shown = ShownValue(proposed.update);
              STEWARD_TRY(connection.Execute(
                  "INSERT INTO pending_change (id, resident_id, field, value, value_sealed, "
                  "source, campaign_id, attempt_id, state, version, created_at) VALUES (?, ?, ?, "
                  "?, ?, 'call', ?, ?, 'pending', 1, ?)",
                  std::vector<Value>{id, claim.resident_id, proposed.update.field, shown,
                                     proposed.update.personal
                                         ? Value(vault_.Seal(kPhoneField, proposed.update.value))
                                         : Value(nullptr),
                                     campaign.id, claim.attempt_id, now}));
              transaction.RecordChange(ChangeRecord{"pending_change",
                                                    id,
                                                    1,
                                                    ChangeOp::kCreate,
                                                    {{"resident_id", claim.resident_id},
                                                     {"field", proposed.update.field},
                                                     {"value", shown},
                                                     {"attempt_id", claim.attempt_id}}});
            }
            // Last contact, for segments (called_within, answered_within). A crash-recovered
            // attempt may never have rung: it still counts as a call, as it did for the caps.
            int64_t version = 0;
            STEWARD_TRY(
                connection.QueryEach("SELECT version FROM resident_contact WHERE resident_id = ?",
                                     std::vector<Value>{claim.resident_id},
                                     [&](const RowView& row) { version = row.Int(0); }));
            STEWARD_TRY(connection.Execute(
                "INSERT INTO resident_contact (resident_id, last_called_at, last_answered_at, "
                "version) "
                "VALUES (?, ?, ?, 1) ON CONFLICT (resident_id) DO UPDATE SET last_called_at = "
                "excluded.last_called_at, last_answered_at = COALESCE(excluded.last_answered_at, "
                "resident_contact.last_answered_at), version = resident_contact.version + 1",
                std::vector<Value>{claim.resident_id, now,
                                   answered ? Value(result.answered_at_ms) : Value(nullptr)}));
            nlohmann::json fields = {{"last_called_at", now}};
            if (answered) fields["last_answered_at"] = result.answered_at_ms;
            transaction.RecordChange(
                ChangeRecord{"resident_contact", claim.resident_id, version + 1,
                             version == 0 ? ChangeOp::kCreate : ChangeOp::kUpdate, fields});
            return Ok();
          })
      .transform([](int64_t) {});
}

Result<int64_t> CampaignStore::Recover(const storage::WriteContext& context,
                                       const std::string& node, int64_t now) {
  return EndInFlight(context,
                     "SELECT id, campaign_id, resident_id, round, attempt FROM call_attempt WHERE "
                     "outcome IS NULL AND node = ? ORDER BY id",
                     {node}, now);
}

Status CampaignStore::Heartbeat(const std::string& node, int64_t now) {
  return database_
      .Write({"system:campaign", storage::Source::kCall},
             [&](WriteTransaction& transaction) -> Status {
               return transaction.connection()
                   .Execute(
                       "INSERT INTO campaign_node (node, seen_at) VALUES (?, ?) ON CONFLICT "
                       "(node) DO UPDATE SET seen_at = excluded.seen_at",
                       std::vector<Value>{node, now})
                   .transform([](int64_t) {});
             })
      .transform([](int64_t) {});
}

Result<int64_t> CampaignStore::TakeOver(const storage::WriteContext& context,
                                        const std::string& node, int64_t now, int64_t lease_ms) {
  // Other nodes' open attempts, started before the lease, whose node has not been seen since.
  const int64_t cutoff = now - lease_ms;
  return EndInFlight(context,
                     "SELECT a.id, a.campaign_id, a.resident_id, a.round, a.attempt FROM "
                     "call_attempt a WHERE a.outcome IS NULL AND a.node <> ? AND a.started_at < ? "
                     "AND NOT EXISTS (SELECT 1 FROM campaign_node n WHERE n.node = a.node AND "
                     "n.seen_at >= ?) ORDER BY a.id",
                     {node, cutoff, cutoff}, now);
}

Result<int64_t> CampaignStore::EndInFlight(const storage::WriteContext& context,
                                           const std::string& sql, std::vector<Value> params,
                                           int64_t now) {
  struct Flying {
    Id attempt, campaign, resident;
    int64_t round, number;
  };
  std::vector<Flying> flying;
  STEWARD_TRY(database_.Read([&](storage::Connection& connection) {
    return connection.QueryEach(sql, params, [&](const RowView& row) {
      flying.push_back({row.Int(0), row.Int(1), row.Int(2), row.Int(3), row.Int(4)});
    });
  }));
  std::unordered_map<Id, Campaign> campaigns;
  for (const auto& call : flying) {
    if (campaigns.count(call.campaign) == 0) {
      STEWARD_ASSIGN_OR_RETURN(campaigns[call.campaign], Get(call.campaign));
    }
    Id unit = 0;
    STEWARD_TRY(database_.Read([&](storage::Connection& connection) {
      return connection.QueryEach(
          "SELECT unit_id FROM campaign_target WHERE campaign_id = ? AND round = ? AND "
          "resident_id = ?",
          std::vector<Value>{call.campaign, call.round, call.resident},
          [&](const RowView& row) { unit = row.Int(0); });
    }));
    Claim claim{call.campaign,
                static_cast<int>(call.round),
                call.resident,
                call.attempt,
                static_cast<int>(call.number),
                unit,
                "",
                ""};
    CallResult interrupted;
    interrupted.outcome = Outcome::kFailedRetryable;
    interrupted.ended_at_ms = now;
    interrupted.last_node = "";
    STEWARD_TRY(FinishAttempt(context, campaigns[call.campaign], claim, interrupted, now));
  }
  return static_cast<int64_t>(flying.size());
}

}  // namespace steward::campaign
