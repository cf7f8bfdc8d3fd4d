// `steward campaign run|list|status|pause|resume|cancel|ledger`: campaigns (外呼任务) from the
// terminal. With `--wait` the simulator channel calls in virtual time in this process: a day of
// calling takes seconds, and the database records the simulated times.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/runtime.hpp"

namespace steward::app {

struct CampaignFlags {
  std::string script;   // a built-in name or a .json file
  std::string segment;  // the query
  std::string name;
  std::string channel = "sim";
  std::string trunk;              // sip: where calls go, "sip:{number}@host:port" (or a SIP URI)
  std::string recordings;         // sip: the folder for call recordings (default data/recordings)
  std::vector<std::string> vars;  // NAME=VALUE campaign fields
  std::string schedule;           // JSON
  std::string policy;             // JSON
  std::string holidays;           // holiday calendar file
  uint64_t seed = 1;
  int priority = 0;
  bool wait = false;
};

int RunCampaignRun(const Globals& globals, const CampaignFlags& flags);
int RunCampaignList(const Globals& globals);
int RunCampaignStatus(const Globals& globals, const std::string& id);
// action: pause, resume (with flags.wait: and run it here), cancel.
int RunCampaignControl(const Globals& globals, const std::string& action, const std::string& id,
                       const CampaignFlags& flags);
int RunCampaignLedger(const Globals& globals, const std::string& id, const std::string& out);

// `steward change list|accept|reject` (registry changes calls proposed) and `steward task
// list|close` (door-visit tasks). list: `campaign` empty for all, `state` empty for all.
int RunChangeList(const Globals& globals, const std::string& campaign, const std::string& state);
int RunChangeDecide(const Globals& globals, const std::string& action, const std::string& id);
int RunTaskList(const Globals& globals, const std::string& campaign, const std::string& state);
int RunTaskClose(const Globals& globals, const std::string& id);

}  // namespace steward::app
