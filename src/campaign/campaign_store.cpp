#include "campaign/campaign_store.hpp"

#include <array>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "campaign/script_check.hpp"
#include "campaign/variables.hpp"

namespace steward::campaign {
namespace {

using storage::ChangeOp;
using storage::ChangeRecord;
using storage::RowView;
using storage::Value;
using storage::WriteTransaction;

constexpr std::string_view kPhoneField = "phone";
constexpr std::array<std::pair<CampaignState, std::string_view>, 5> kStates = {{
    {CampaignState::kDraft, "draft"},
    {CampaignState::kRunning, "running"},
    {CampaignState::kPaused, "paused"},
    {CampaignState::kCompleted, "completed"},
    {CampaignState::kCancelled, "cancelled"},
}};

constexpr const char* kCampaignColumns =
    "SELECT id, name, script_name, script_version, script_json, segment_id, segment_version, "
    "segment_query, fields_json, schedule_json, policy_json, channel, state, priority, targeted, "
    "current_round, version, created_by, created_at, started_at, finished_at FROM campaign ";

Result<Campaign> FromRow(const RowView& row) {
  Campaign campaign;
  campaign.id = row.Int(0);
  campaign.name = std::string(row.Text(1));
  campaign.script_name = std::string(row.Text(2));
  campaign.script_version = row.Int(3);
  STEWARD_ASSIGN_OR_RETURN(campaign.script, ParseScriptText(std::string(row.Text(4))));
  if (!row.IsNull(5)) campaign.segment_id = row.Int(5);
  if (!row.IsNull(6)) campaign.segment_version = row.Int(6);
  campaign.segment_query = std::string(row.Text(7));
  auto fields = nlohmann::json::parse(row.Text(8), nullptr, false);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      if (value.is_string()) campaign.fields[key] = value.get<std::string>();
    }
  }
  const Date start = Date::FromDays(0);
  STEWARD_ASSIGN_OR_RETURN(
      campaign.schedule,
      Schedule::FromJson(nlohmann::json::parse(row.Text(9), nullptr, false), start));
  STEWARD_ASSIGN_OR_RETURN(campaign.policy,
                           Policy::FromJson(nlohmann::json::parse(row.Text(10), nullptr, false)));
  campaign.channel = std::string(row.Text(11));
  campaign.state = ParseCampaignState(row.Text(12)).value_or(CampaignState::kDraft);
  campaign.priority = static_cast<int>(row.Int(13));
  campaign.targeted = row.Int(14);
  campaign.current_round = static_cast<int>(row.Int(15));
  campaign.version = row.Int(16);
  campaign.created_by = std::string(row.Text(17));
  campaign.created_at = row.Int(18);
  campaign.started_at = row.IsNull(19) ? 0 : row.Int(19);
  campaign.finished_at = row.IsNull(20) ? 0 : row.Int(20);
  return campaign;
}

Result<std::optional<Campaign>> Find(storage::Connection& connection, Id id) {
  std::optional<Campaign> found;
  Status status = Ok();
  STEWARD_TRY(connection.QueryEach(std::string(kCampaignColumns) + "WHERE id = ?",
                                   std::vector<Value>{id}, [&](const RowView& row) {
                                     auto campaign = FromRow(row);
                                     if (campaign) {
                                       found = std::move(*campaign);
                                     } else {
                                       status = tl::unexpected(campaign.error());
                                     }
                                   }));
  STEWARD_TRY(status);
  return found;
}

Error NotFound(Id id) {
  return Error{
      ErrorCode::kNotFound,
      "没有编号为 " + std::to_string(id) + " 的外呼任务 / no campaign " + std::to_string(id),
      {}};
}

struct Person {
  Id id = 0;
  Id unit_id = 0;
  std::string name;
  Gender gender = Gender::kUnknown;
  std::optional<Date> birth;
  std::optional<std::string> phone_sealed, phone_hash, phone_masked;
};

}  // namespace

std::string_view CampaignStateName(CampaignState state) {
  for (const auto& [value, name] : kStates) {
    if (value == state) return name;
  }
  return "draft";
}

std::optional<CampaignState> ParseCampaignState(std::string_view name) {
  for (const auto& [value, text] : kStates) {
    if (text == name) return value;
  }
  return std::nullopt;
}

nlohmann::json CampaignToJson(const Campaign& campaign) {
  nlohmann::json out = {{"id", std::to_string(campaign.id)},
                        {"name", campaign.name},
                        {"script",
                         {{"name", campaign.script_name},
                          {"title", campaign.script.title},
                          {"version", campaign.script_version}}},
                        {"segment", {{"query", campaign.segment_query}}},
                        {"fields", campaign.fields},
                        {"schedule", campaign.schedule.ToJson()},
                        {"policy", campaign.policy.ToJson()},
                        {"channel", campaign.channel},
                        {"state", CampaignStateName(campaign.state)},
                        {"priority", campaign.priority},
                        {"targeted", campaign.targeted},
                        {"current_round", campaign.current_round},
                        {"version", campaign.version},
                        {"created_by", campaign.created_by},
                        {"created_at", FormatIsoMillis(campaign.created_at)}};
  if (campaign.segment_id) out["segment"]["id"] = std::to_string(*campaign.segment_id);
  if (campaign.segment_version) out["segment"]["version"] = *campaign.segment_version;
  out["started_at"] =
      campaign.started_at ? nlohmann::json(FormatIsoMillis(campaign.started_at)) : nlohmann::json();
  out["finished_at"] = campaign.finished_at ? nlohmann::json(FormatIsoMillis(campaign.finished_at))
                                            : nlohmann::json();
  return out;
}

Result<Campaign> CampaignStore::Create(const storage::WriteContext& context,
                                       const NewCampaign& campaign) {
  std::vector<ErrorDetail> details;
  for (const auto& finding : CheckScript(campaign.script)) {
    if (finding.severity == Severity::kError) {
      details.push_back({"script." + finding.node_id, finding.code, finding.message});
    }
  }
  for (const auto& field : campaign.script.fields) {
    auto value = campaign.fields.find(field.name);
    if (value == campaign.fields.end() || value->second.empty()) {
      details.push_back({"fields." + field.name, "required",
                         "话术需要填写“" + (field.label.empty() ? field.name : field.label) +
                             "” / the script needs the field " + field.name});
    }
  }
  if (campaign.channel != "sim" && campaign.channel != "sip") {
    details.push_back({"channel", "enum", "应为 sim 或 sip / one of sim, sip"});
  }
  if (campaign.name.empty() || campaign.name.size() > 300) {
    details.push_back({"name", "length", "任务名称应为 1 至 100 个字 / name: 1 to 100 characters"});
  }
  if (!details.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "外呼任务有误 / invalid campaign", std::move(details));
  }
  const Id id = ids_.Next();
  const int64_t now = clock_.NowMillis();
  STEWARD_TRY(database_.Write(context, [&](WriteTransaction& transaction) -> Status {
    STEWARD_TRY(transaction.connection().Execute(
        "INSERT INTO campaign (id, name, script_name, script_version, script_json, segment_id, "
        "segment_version, segment_query, fields_json, schedule_json, policy_json, channel, state, "
        "priority, targeted, current_round, version, created_by, created_at, updated_at) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, 0, 0, 1, ?, ?, ?)",
        std::vector<Value>{
            id, campaign.name, campaign.script.name, campaign.script_version,
            ScriptToJson(campaign.script).dump(),
            campaign.segment_id ? Value(*campaign.segment_id) : Value(nullptr),
            campaign.segment_version ? Value(*campaign.segment_version) : Value(nullptr),
            campaign.segment_query, nlohmann::json(campaign.fields).dump(),
            campaign.schedule.ToJson().dump(), campaign.policy.ToJson().dump(), campaign.channel,
            int64_t{campaign.priority}, context.actor, now, now}));
    transaction.RecordChange(ChangeRecord{"campaign",
                                          id,
                                          1,
                                          ChangeOp::kCreate,
                                          {{"name", campaign.name},
                                           {"script", campaign.script.name},
                                           {"segment_query", campaign.segment_query},
                                           {"state", "draft"}}});
    return Ok();
  }));
  return Get(id);
}

Result<Campaign> CampaignStore::Get(Id campaign_id) {
  STEWARD_ASSIGN_OR_RETURN(auto found, database_.Read([&](storage::Connection& connection) {
    return Find(connection, campaign_id);
  }));
  if (!found) return tl::unexpected(NotFound(campaign_id));
  return std::move(*found);
}

Result<std::vector<Campaign>> CampaignStore::List(std::optional<CampaignState> state) {
  return database_.Read([&](storage::Connection& connection) -> Result<std::vector<Campaign>> {
    std::vector<Campaign> campaigns;
    Status status = Ok();
    std::vector<Value> params;
    std::string sql = kCampaignColumns;
    if (state) {
      sql += "WHERE state = ? ";
      params.emplace_back(std::string(CampaignStateName(*state)));
    }
    sql += "ORDER BY priority DESC, id";
    STEWARD_TRY(connection.QueryEach(sql, params, [&](const RowView& row) {
      auto campaign = FromRow(row);
      if (campaign) {
        campaigns.push_back(std::move(*campaign));
      } else if (status) {
        status = tl::unexpected(campaign.error());
      }
    }));
    STEWARD_TRY(status);
    return campaigns;
  });
}

Result<Campaign> CampaignStore::Start(const storage::WriteContext& context, Id campaign_id,
                                      const std::vector<Id>& residents, const Date& today) {
  STEWARD_ASSIGN_OR_RETURN(Campaign campaign, Get(campaign_id));
  if (campaign.state != CampaignState::kDraft) {
    return Fail(ErrorCode::kConflict, "外呼任务已启动过 / the campaign has already started");
  }
  const int64_t now = clock_.NowMillis();
  const int64_t first = campaign.schedule.RoundStart(0);
  int64_t targeted = 0;
  STEWARD_TRY(database_.Write(context, [&](WriteTransaction& transaction) -> Status {
    auto& connection = transaction.connection();
    std::unordered_set<std::string> do_not_call;
    STEWARD_TRY(
        connection.QueryEach("SELECT phone_hash FROM do_not_call", {},
                             [&](const RowView& row) { do_not_call.emplace(row.Text(0)); }));
    static constexpr std::string_view kColumns[] = {
        "campaign_id", "round",        "resident_id", "seq",          "unit_id",
        "address",     "phone_sealed", "phone_hash",  "phone_masked", "state",
        "attempts",    "next_at",      "outcome",     "talk_ms",      "finished_at"};
    std::unordered_set<std::string> phones_seen;
    int64_t seq = 0;
    for (size_t from = 0; from < residents.size(); from += 500) {
      const size_t to = std::min(residents.size(), from + 500);
      std::vector<Value> params;
      std::string in;
      for (size_t i = from; i < to; ++i) {
        in += i == from ? "?" : ", ?";
        params.emplace_back(residents[i]);
      }
      std::map<Id, Person> people;
      STEWARD_TRY(connection.QueryEach(
          "SELECT id, unit_id, name, gender, birth_date FROM resident WHERE deleted_at IS NULL "
          "AND id IN (" +
              in + ")",
          params, [&](const RowView& row) {
            Person person;
            person.id = row.Int(0);
            person.unit_id = row.Int(1);
            person.name = std::string(row.Text(2));
            person.gender = row.Text(3) == "male"     ? Gender::kMale
                            : row.Text(3) == "female" ? Gender::kFemale
                                                      : Gender::kUnknown;
            Date birth;
            if (!row.IsNull(4) && Date::Parse(row.Text(4), &birth)) person.birth = birth;
            people.emplace(person.id, std::move(person));
          }));
      STEWARD_TRY(connection.QueryEach(
          "SELECT resident_id, phone_sealed, phone_hash, phone_masked FROM resident_phone WHERE "
          "resident_id IN (" +
              in + ") ORDER BY resident_id, position",
          params, [&](const RowView& row) {
            auto person = people.find(row.Int(0));
            if (person == people.end() || person->second.phone_sealed) return;
            person->second.phone_sealed = std::string(row.Text(1));
            person->second.phone_hash = std::string(row.Text(2));
            person->second.phone_masked = std::string(row.Text(3));
          }));
      // One COPY per chunk: PostgreSQL takes no other statement while a COPY is open.
      STEWARD_ASSIGN_OR_RETURN(auto rows, connection.BeginBulkInsert("campaign_target", kColumns));
      for (auto& [id, person] : people) {
        std::optional<int> age;
        if (person.birth) age = person.birth->YearsUntil(today);
        const std::string address = AddressForm(person.name, person.gender, age);
        std::optional<Outcome> decided;
        if (!person.phone_hash) {
          decided = Outcome::kNoPhone;
        } else if (do_not_call.count(*person.phone_hash) > 0) {
          decided = Outcome::kOnDoNotCallList;
        } else if (!phones_seen.insert(*person.phone_hash).second) {
          decided = Outcome::kDuplicatePhone;
        }
        auto optional = [](const std::optional<std::string>& text) {
          return text ? Value(std::string_view(*text)) : Value(nullptr);
        };
        const Value row[] = {campaign_id,
                             int64_t{0},
                             id,
                             seq++,
                             person.unit_id,
                             std::string_view(address),
                             optional(person.phone_sealed),
                             optional(person.phone_hash),
                             optional(person.phone_masked),
                             decided ? "done" : "pending",
                             int64_t{0},
                             first,
                             decided ? Value(std::string(OutcomeName(*decided))) : Value(nullptr),
                             int64_t{0},
                             decided ? Value(now) : Value(nullptr)};
        STEWARD_TRY(rows->Add(row));
        ++targeted;
      }
      STEWARD_TRY(rows->Finish());
    }
    STEWARD_ASSIGN_OR_RETURN(
        int64_t changed,
        connection.Execute("UPDATE campaign SET state = 'running', targeted = ?, started_at = ?, "
                           "updated_at = ?, version = version + 1 WHERE id = ? AND state = 'draft'",
                           std::vector<Value>{targeted, now, now, campaign_id}));
    if (changed != 1) {
      return Fail(ErrorCode::kConflict, "外呼任务已启动过 / the campaign has already started");
    }
    transaction.RecordChange(
        ChangeRecord{"campaign",
                     campaign_id,
                     campaign.version + 1,
                     ChangeOp::kUpdate,
                     {{"state", {{"old", "draft"}, {"new", "running"}}}, {"targeted", targeted}}});
    return Ok();
  }));
  return Get(campaign_id);
}

Status CampaignStore::Transition(const storage::WriteContext& context, Id campaign_id,
                                 std::initializer_list<CampaignState> from, CampaignState to) {
  STEWARD_ASSIGN_OR_RETURN(Campaign campaign, Get(campaign_id));
  bool allowed = false;
  for (auto state : from) allowed = allowed || state == campaign.state;
  if (!allowed) {
    return Fail(ErrorCode::kConflict,
                "外呼任务当前为 " + std::string(CampaignStateName(campaign.state)) + "，不能改为 " +
                    std::string(CampaignStateName(to)) + " / a " +
                    std::string(CampaignStateName(campaign.state)) + " campaign cannot become " +
                    std::string(CampaignStateName(to)));
  }
  const int64_t now = clock_.NowMillis();
  return database_
      .Write(
          context,
          [&](WriteTransaction& transaction) -> Status {
            auto& connection = transaction.connection();
            STEWARD_ASSIGN_OR_RETURN(
                int64_t changed,
                connection.Execute(
                    "UPDATE campaign SET state = ?, updated_at = ?, version = version + 1, "
                    "finished_at = ? WHERE id = ? AND version = ?",
                    std::vector<Value>{
                        std::string(CampaignStateName(to)), now,
                        to == CampaignState::kCancelled ? Value(now) : Value(nullptr), campaign_id,
                        campaign.version}));
            if (changed != 1) {
              return Fail(ErrorCode::kConflict,
                          "外呼任务刚被修改过，请重试 / the campaign just changed; try again");
            }
            if (to == CampaignState::kCancelled) {
              STEWARD_TRY(connection.Execute(
                  "UPDATE campaign_target SET state = 'done', outcome = 'cancelled', "
                  "finished_at = ? WHERE campaign_id = ? AND state IN ('pending', 'retry')",
                  std::vector<Value>{now, campaign_id}));
            }
            transaction.RecordChange(ChangeRecord{
                "campaign",
                campaign_id,
                campaign.version + 1,
                ChangeOp::kUpdate,
                {{"state",
                  {{"old", CampaignStateName(campaign.state)}, {"new", CampaignStateName(to)}}}}});
            return Ok();
          })
      .transform([](int64_t) {});
}

Result<Campaign> CampaignStore::Pause(const storage::WriteContext& context, Id campaign_id) {
  STEWARD_TRY(Transition(context, campaign_id, {CampaignState::kRunning}, CampaignState::kPaused));
  return Get(campaign_id);
}

Result<Campaign> CampaignStore::Resume(const storage::WriteContext& context, Id campaign_id) {
  STEWARD_TRY(Transition(context, campaign_id, {CampaignState::kPaused}, CampaignState::kRunning));
  return Get(campaign_id);
}

Result<Campaign> CampaignStore::Cancel(const storage::WriteContext& context, Id campaign_id) {
  STEWARD_TRY(Transition(context, campaign_id,
                         {CampaignState::kDraft, CampaignState::kRunning, CampaignState::kPaused},
                         CampaignState::kCancelled));
  return Get(campaign_id);
}

Result<std::map<Id, Funnel>> CampaignStore::CountFunnels(const UnitScope& scope) {
  return database_.Read([&](storage::Connection& connection) -> Result<std::map<Id, Funnel>> {
    // The targets in the scope (all of them without one); the queries add their own conditions.
    const std::string in_scope =
        " FROM campaign_target t JOIN org_unit u ON u.id = t.unit_id WHERE " +
        (scope.sql.empty() ? std::string("1 = 1") : scope.sql);
    std::map<Id, Funnel> funnels;
    STEWARD_TRY(connection.QueryEach(
        "SELECT t.campaign_id, count(*), sum(CASE WHEN t.attempts > 0 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN t.outcome = 'answered_completed' THEN 1 ELSE 0 END), sum(CASE WHEN "
        "t.state = 'done' THEN 1 ELSE 0 END), sum(t.attempts)" +
            in_scope + " GROUP BY t.campaign_id",
        scope.params, [&](const RowView& row) {
          Funnel& funnel = funnels[row.Int(0)];
          funnel.targeted = row.Int(1);
          funnel.dialled = row.Int(2);
          funnel.completed = row.Int(3);
          funnel.done = row.Int(4);
          funnel.attempts = row.Int(5);
        }));
    STEWARD_TRY(connection.QueryEach(
        "SELECT t.campaign_id, count(*)" + in_scope +
            " AND EXISTS (SELECT 1 FROM call_attempt a WHERE a.campaign_id = t.campaign_id AND "
            "a.round = t.round AND a.resident_id = t.resident_id AND a.answered_at IS NOT NULL) "
            "GROUP BY t.campaign_id",
        scope.params, [&](const RowView& row) { funnels[row.Int(0)].answered = row.Int(1); }));
    return funnels;
  });
}

Result<Funnel> CampaignStore::ComputeFunnel(Id campaign_id, const UnitScope& scope) {
  return database_.Read([&](storage::Connection& connection) -> Result<Funnel> {
    struct UnitRow {
      Id parent = 0;
      std::string kind, name;
    };
    std::unordered_map<Id, UnitRow> units;
    STEWARD_TRY(connection.QueryEach(
        "SELECT id, parent_id, kind, name FROM org_unit", {}, [&](const RowView& row) {
          units[row.Int(0)] = {row.IsNull(1) ? 0 : row.Int(1), std::string(row.Text(2)),
                               std::string(row.Text(3))};
        }));
    auto ancestor = [&](Id unit, const char* kind) -> Id {
      for (int depth = 0; unit != 0 && depth < 16; ++depth) {
        auto it = units.find(unit);
        if (it == units.end()) return 0;
        if (it->second.kind == kind) return unit;
        unit = it->second.parent;
      }
      return 0;
    };
    Funnel funnel;
    std::set<std::pair<int64_t, Id>> answered_residents;  // (round, resident)
    STEWARD_TRY(connection.QueryEach(
        "SELECT DISTINCT round, resident_id FROM call_attempt WHERE campaign_id = ? AND "
        "answered_at IS NOT NULL",
        std::vector<Value>{campaign_id},
        [&](const RowView& row) { answered_residents.emplace(row.Int(0), row.Int(1)); }));
    // The targets inside the scope; answers count only theirs.
    std::set<std::pair<int64_t, Id>> in_scope;
    std::vector<Value> params{campaign_id};
    params.insert(params.end(), scope.params.begin(), scope.params.end());
    STEWARD_TRY(connection.QueryEach(
        "SELECT t.round, t.resident_id, t.unit_id, t.state, t.attempts, t.outcome FROM "
        "campaign_target t JOIN org_unit u ON u.id = t.unit_id WHERE t.campaign_id = ?" +
            (scope.sql.empty() ? std::string() : " AND " + scope.sql),
        params, [&](const RowView& row) {
          in_scope.emplace(row.Int(0), row.Int(1));
          const bool dialled = row.Int(4) > 0;
          const bool answered = answered_residents.count({row.Int(0), row.Int(1)}) > 0;
          const bool completed = !row.IsNull(5) && row.Text(5) == "answered_completed";
          ++funnel.targeted;
          funnel.dialled += dialled;
          funnel.answered += answered;
          funnel.completed += completed;
          funnel.attempts += row.Int(4);
          if (row.Text(3) == "done") {
            ++funnel.done;
            ++funnel.outcomes[std::string(row.Text(5))];
          }
          for (auto [kind, by] :
               {std::pair{"community", &funnel.by_community}, std::pair{"grid", &funnel.by_grid}}) {
            const Id unit = ancestor(row.Int(2), kind);
            if (unit == 0) continue;
            auto& counts = (*by)[unit];
            counts.name = units[unit].name;
            ++counts.targeted;
            counts.dialled += dialled;
            counts.answered += answered;
            counts.completed += completed;
          }
        }));
    // Each target's last answer per slot (a later attempt or round overrides an earlier one).
    std::map<std::tuple<int64_t, Id, std::string>, std::string> last;
    STEWARD_TRY(connection.QueryEach(
        "SELECT round, resident_id, slot, value FROM call_answer WHERE campaign_id = ? ORDER BY "
        "at, attempt_id",
        std::vector<Value>{campaign_id}, [&](const RowView& row) {
          if (in_scope.count({row.Int(0), row.Int(1)}) == 0) return;
          last[{row.Int(0), row.Int(1), std::string(row.Text(2))}] = std::string(row.Text(3));
        }));
    for (const auto& [key, value] : last) ++funnel.answers[std::get<2>(key)][value];
    return funnel;
  });
}

nlohmann::json FunnelToJson(const Funnel& funnel) {
  auto units = [](const std::map<Id, Funnel::ByUnit>& by) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [id, counts] : by) {
      out.push_back({{"unit_id", std::to_string(id)},
                     {"name", counts.name},
                     {"targeted", counts.targeted},
                     {"dialled", counts.dialled},
                     {"answered", counts.answered},
                     {"completed", counts.completed}});
    }
    return out;
  };
  return {{"targeted", funnel.targeted},
          {"dialled", funnel.dialled},
          {"answered", funnel.answered},
          {"completed", funnel.completed},
          {"done", funnel.done},
          {"attempts", funnel.attempts},
          {"outcomes", funnel.outcomes},
          {"answers", funnel.answers},
          {"by_community", units(funnel.by_community)},
          {"by_grid", units(funnel.by_grid)}};
}

}  // namespace steward::campaign
