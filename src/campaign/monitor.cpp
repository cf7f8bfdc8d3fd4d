#include "campaign/monitor.hpp"

#include "base/clock.hpp"
#include "campaign/outcome.hpp"

namespace steward::campaign {

using storage::RowView;
using storage::Value;

nlohmann::json CallRecordToJson(const CallRecord& call) {
  nlohmann::json json = {{"id", std::to_string(call.id)},
                         {"resident_id", std::to_string(call.resident_id)},
                         {"resident_name", call.resident_name},
                         {"unit_name", call.unit_name},
                         {"address", call.address},
                         {"round", call.round},
                         {"attempt", call.attempt},
                         {"node", call.node},
                         {"started_at", FormatIsoMillis(call.started_at)},
                         {"answered_at", nullptr},
                         {"ended_at", nullptr},
                         {"outcome", nullptr},
                         {"outcome_label", nullptr},
                         {"recording", !call.recording.empty()}};
  if (call.answered_at > 0) json["answered_at"] = FormatIsoMillis(call.answered_at);
  if (call.ended_at > 0) json["ended_at"] = FormatIsoMillis(call.ended_at);
  if (!call.outcome.empty()) {
    json["outcome"] = call.outcome;
    if (auto outcome = ParseOutcome(call.outcome)) json["outcome_label"] = OutcomeLabel(*outcome);
  }
  return json;
}

Result<std::vector<CallRecord>> ListCalls(storage::Connection& connection, Id campaign_id,
                                          const CallFilter& filter, const UnitScope& scope) {
  std::vector<Value> params{campaign_id};
  std::string where = "WHERE a.campaign_id = ?";
  if (filter.in_flight_only) where += " AND a.outcome IS NULL";
  if (filter.call_id != 0) {
    where += " AND a.id = ?";
    params.emplace_back(filter.call_id);
  }
  if (filter.before_id > 0) {
    where += " AND a.id < ?";
    params.emplace_back(filter.before_id);
  }
  if (!scope.sql.empty()) {
    where += " AND " + scope.sql;
    params.insert(params.end(), scope.params.begin(), scope.params.end());
  }
  params.emplace_back(int64_t{filter.limit});
  std::vector<CallRecord> calls;
  STEWARD_TRY(connection.QueryEach(
      "SELECT a.id, a.resident_id, r.name, u.name, t.address, a.round, a.attempt, a.node, "
      "a.started_at, a.answered_at, a.ended_at, a.outcome, a.recording FROM call_attempt a "
      "JOIN campaign_target t ON t.campaign_id = a.campaign_id AND t.round = a.round AND "
      "t.resident_id = a.resident_id JOIN resident r ON r.id = a.resident_id "
      "JOIN org_unit u ON u.id = t.unit_id " +
          where + " ORDER BY a.id DESC LIMIT ?",
      params, [&](const RowView& row) {
        CallRecord call;
        call.id = row.Int(0);
        call.resident_id = row.Int(1);
        call.resident_name = std::string(row.Text(2));
        call.unit_name = std::string(row.Text(3));
        call.address = std::string(row.Text(4));
        call.round = static_cast<int>(row.Int(5));
        call.attempt = static_cast<int>(row.Int(6));
        call.node = std::string(row.Text(7));
        call.started_at = row.Int(8);
        call.answered_at = row.IsNull(9) ? 0 : row.Int(9);
        call.ended_at = row.IsNull(10) ? 0 : row.Int(10);
        call.outcome = row.IsNull(11) ? "" : std::string(row.Text(11));
        call.recording = row.IsNull(12) ? "" : std::string(row.Text(12));
        calls.push_back(std::move(call));
      }));
  return calls;
}

namespace {

TargetStates NoStates() { return {{"pending", 0}, {"retry", 0}, {"in_call", 0}, {"done", 0}}; }

}  // namespace

Result<TargetStates> CountTargetStates(storage::Connection& connection, Id campaign_id,
                                       const UnitScope& scope) {
  TargetStates states = NoStates();
  std::vector<Value> params{campaign_id};
  params.insert(params.end(), scope.params.begin(), scope.params.end());
  STEWARD_TRY(connection.QueryEach(
      "SELECT t.state, COUNT(*) FROM campaign_target t JOIN org_unit u ON u.id = t.unit_id WHERE "
      "t.campaign_id = ?" +
          (scope.sql.empty() ? std::string() : " AND " + scope.sql) + " GROUP BY t.state",
      params, [&](const RowView& row) { states[std::string(row.Text(0))] = row.Int(1); }));
  return states;
}

Result<std::map<Id, TargetStates>> CountAllTargetStates(storage::Connection& connection,
                                                        const UnitScope& scope) {
  std::map<Id, TargetStates> all;
  STEWARD_TRY(connection.QueryEach(
      "SELECT t.campaign_id, t.state, COUNT(*) FROM campaign_target t JOIN org_unit u ON u.id = "
      "t.unit_id" +
          (scope.sql.empty() ? std::string() : " WHERE " + scope.sql) +
          " GROUP BY t.campaign_id, t.state",
      scope.params, [&](const RowView& row) {
        auto [it, fresh] = all.try_emplace(row.Int(0), NoStates());
        it->second[std::string(row.Text(1))] = row.Int(2);
      }));
  return all;
}

}  // namespace steward::campaign
