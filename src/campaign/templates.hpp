// The built-in scripts (templates/*.json, compiled into the binary): 疫情防控健康打卡,
// 居委会选举通知, 健康体检邀约, 政策通知, 人户状态核实. Each works by keypad alone and passes
// CheckScript; staff copy one to make their own. Thread-safety: parsed once, then read-only.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "campaign/script.hpp"

namespace steward::campaign {

const std::vector<Script>& BuiltInScripts();

// kNotFound when no built-in script has this name.
Result<Script> BuiltInScript(const std::string& name);

}  // namespace steward::campaign
