#include "campaign/script_check.hpp"

#include <functional>
#include <map>
#include <regex>
#include <set>

#include "campaign/variables.hpp"

namespace steward::campaign {
namespace {

// The nodes a node leads to; `exits` says whether the call can end there (hangup, transfer, or an
// ask whose failure ends the call).
std::vector<std::string> Successors(const Node& node, bool* exits) {
  std::vector<std::string> next;
  *exits = node.type == NodeType::kHangup || node.type == NodeType::kTransfer;
  switch (node.type) {
    case NodeType::kSay:
    case NodeType::kSet:
      next.push_back(node.next);
      break;
    case NodeType::kAsk:
      next.push_back(node.next);
      if (node.on_fail.empty()) {
        *exits = true;
      } else {
        next.push_back(node.on_fail);
      }
      break;
    case NodeType::kBranch:
      for (const auto& [value, target] : node.cases) next.push_back(target);
      if (!node.otherwise.empty()) next.push_back(node.otherwise);
      break;
    case NodeType::kTransfer:
    case NodeType::kHangup:
      break;
  }
  return next;
}

class Checker {
 public:
  explicit Checker(const Script& script) : script_(script) {}

  std::vector<Finding> Run() {
    Ids();
    if (!script_.start.empty() && !script_.Find(script_.start)) {
      Error("", "missing_start",
            "开始节点 " + script_.start + " 不存在 / the start node " + script_.start +
                " does not exist");
    }
    for (const auto& node : script_.nodes) {
      References(node);
      Variables(node);
      if (node.type == NodeType::kAsk) Ask(node);
    }
    Opening();
    Reachability();
    for (const auto& node : script_.nodes) {
      if (node.type == NodeType::kBranch) Branch(node);
    }
    return std::move(findings_);
  }

 private:
  void Error(const std::string& node, const std::string& code, const std::string& message) {
    findings_.push_back({Severity::kError, node, code, message});
  }
  void Warning(const std::string& node, const std::string& code, const std::string& message) {
    findings_.push_back({Severity::kWarning, node, code, message});
  }

  void Ids() {
    std::set<std::string> seen;
    for (const auto& node : script_.nodes) {
      if (!seen.insert(node.id).second) {
        Error(node.id, "duplicate_id",
              "节点编号 " + node.id + " 重复 / the node id " + node.id + " is used twice");
      }
    }
  }

  void Target(const Node& node, const std::string& target, const char* what) {
    if (!target.empty() && !script_.Find(target)) {
      Error(node.id, "missing_node",
            std::string(what) + " 指向的节点 " + target + " 不存在 / " + what + " names node " +
                target + ", which does not exist");
    }
  }

  void References(const Node& node) {
    Target(node, node.next, "next");
    Target(node, node.on_fail, "on_fail");
    Target(node, node.otherwise, "otherwise");
    for (const auto& [value, target] : node.cases) Target(node, target, "cases");
    if (node.type == NodeType::kBranch && node.cases.empty() && node.otherwise.empty()) {
      Error(node.id, "missing_branch", "分支没有任何去向 / the branch leads nowhere");
    }
  }

  void Variables(const Node& node) {
    std::set<std::string> known(StandardVariables().begin(), StandardVariables().end());
    for (const auto& field : script_.fields) known.insert("campaign." + field.name);
    std::vector<std::string> texts = {node.text, node.no_input_text, node.no_match_text, node.phone,
                                      node.value};
    for (const auto& [value, task] : node.follow_up) texts.push_back(task);
    for (const auto& text : texts) {
      for (const auto& name : VariablesIn(text)) {
        if (known.count(name) == 0) {
          Error(node.id, "undefined_variable",
                "变量 {{" + name + "}} 未定义 / the variable {{" + name + "}} is not defined");
        }
      }
    }
  }

  // A digits ask: any string of keys is its answer, so a branch on its slot needs `otherwise`.
  void Digits(const Node& node) {
    if (node.digits->end_key == script_.opt_out_key) {
      Error(node.id, "opt_out_key",
            std::string("结束键 ") + node.digits->end_key + " 已用于拒绝来电 / the end key " +
                node.digits->end_key + " is the opt-out key");
    }
    if (!node.speech.empty() || !node.follow_up.empty() || !node.updates.empty()) {
      Warning(node.id, "digits_choices",
              "按键输入的问题不用 speech、follow_up、updates（答案是一串数字） / a digits ask "
              "ignores speech, follow_up and updates (its answer is a string of digits)");
    }
    if (node.digits->format == "phone" && node.digits->max_length < 11) {
      Error(node.id, "digits_length",
            "电话号码至少 11 位，max 须不小于 11 / a phone number has 11 or 12 digits: max must "
            "be at least 11");
    }
    open_slots_.insert(node.slot);
    answers_[node.slot];
  }

  void Ask(const Node& node) {
    if (node.digits) {
      Digits(node);
      return;
    }
    std::set<std::string> values;
    for (const auto& key : node.keys) {
      if (key.digit == script_.opt_out_key) {
        Error(node.id, "opt_out_key",
              std::string("按键 ") + key.digit + " 已用于拒绝来电，不能作为选项 / key " +
                  key.digit + " is the opt-out key and cannot be a choice");
      }
      if (key.value != kRepeatValue) values.insert(key.value);
    }
    if (values.empty()) {
      Error(node.id, "no_keys",
            "问题至少要有一个按键选项 / a question needs at least one key choice");
    }
    for (const auto& intent : node.speech) {
      if (values.count(intent.value) == 0 && intent.value != kRepeatValue) {
        Error(node.id, "speech_only",
              "语音答案 " + intent.value +
                  " 没有对应按键（话术须能只用按键完成） / the spoken answer " + intent.value +
                  " has no key (a script must work by keypad alone)");
      }
      for (const auto& pattern : intent.patterns) {
        try {
          std::regex compiled(pattern);
        } catch (const std::regex_error&) {
          Error(node.id, "bad_pattern",
                "正则表达式有误：" + pattern + " / bad regular expression: " + pattern);
        }
      }
    }
    for (const auto& [value, task] : node.follow_up) {
      if (values.count(value) == 0) {
        Error(node.id, "unknown_value",
              "follow_up 的答案 " + value + " 不是按键选项 / follow_up names " + value +
                  ", which no key gives");
      }
    }
    for (const auto& [value, update] : node.updates) {
      if (values.count(value) == 0) {
        Error(node.id, "unknown_value",
              "updates 的答案 " + value + " 不是按键选项 / updates names " + value +
                  ", which no key gives");
      }
    }
    answers_[node.slot].insert(values.begin(), values.end());
    if (node.understand == Understanding::kYesNo &&
        (values.count("yes") == 0 || values.count("no") == 0)) {
      Warning(node.id, "yes_no_values",
              "yes_no 理解需要选项 yes 和 no / yes_no understanding needs the values yes and no");
    }
  }

  void Opening() {
    const Node* start = script_.Find(script_.start);
    if (!start) return;
    if (start->type != NodeType::kSay || start->interruptible) {
      Error(
          start->id, "opening",
          "话术须以不可打断的开场白开始（说明来电单位和通话录音） / a script must open with a say "
          "that cannot be interrupted (who is calling, that the call is recorded)");
      return;
    }
    if (start->text.find("录音") == std::string::npos && start->recording.empty()) {
      Error(start->id, "opening",
            "开场白须告知本次通话将被录音 / the opening must say that the call is recorded");
    }
  }

  void Reachability() {
    // Forward from the start: unreachable nodes.
    std::set<std::string> reached;
    std::vector<std::string> stack = {script_.start};
    while (!stack.empty()) {
      const std::string id = stack.back();
      stack.pop_back();
      const Node* node = script_.Find(id);
      if (!node || !reached.insert(id).second) continue;
      bool exits = false;
      for (const auto& next : Successors(*node, &exits)) stack.push_back(next);
      if (node->type == NodeType::kSet) set_slots_.insert(node->slot);
    }
    for (const auto& node : script_.nodes) {
      if (reached.count(node.id) == 0 && script_.Find(script_.start)) {
        Error(node.id, "unreachable",
              "节点 " + node.id + " 永远不会被执行到 / node " + node.id + " can never be reached");
      }
    }
    // Backward from the exits: nodes from which the call can never end.
    std::map<std::string, std::vector<std::string>> into;
    std::vector<std::string> exits;
    for (const auto& node : script_.nodes) {
      bool can_end = false;
      for (const auto& next : Successors(node, &can_end)) into[next].push_back(node.id);
      if (can_end) exits.push_back(node.id);
    }
    std::set<std::string> can_finish;
    while (!exits.empty()) {
      const std::string id = exits.back();
      exits.pop_back();
      if (!can_finish.insert(id).second) continue;
      for (const auto& from : into[id]) exits.push_back(from);
    }
    bool missing = false;  // a missing node is reported already; every path through it would be too
    for (const auto& finding : findings_) missing = missing || finding.code == "missing_node";
    for (const auto& node : script_.nodes) {
      if (!missing && reached.count(node.id) > 0 && can_finish.count(node.id) == 0) {
        Error(node.id, "no_exit",
              "从节点 " + node.id + " 出发的循环无法结束通话 / from node " + node.id +
                  " the call loops and can never end");
      }
    }
    SilentCycles();
  }

  // A cycle of set and branch nodes only would loop without saying anything.
  void SilentCycles() {
    std::map<std::string, int> colour;  // 0 new, 1 on the path, 2 done
    std::function<bool(const Node&)> visit = [&](const Node& node) {
      colour[node.id] = 1;
      bool exits = false;
      for (const auto& next : Successors(node, &exits)) {
        const Node* target = script_.Find(next);
        if (!target || (target->type != NodeType::kSet && target->type != NodeType::kBranch)) {
          continue;
        }
        if (colour[next] == 1) return true;
        if (colour[next] == 0 && visit(*target)) return true;
      }
      colour[node.id] = 2;
      return false;
    };
    for (const auto& node : script_.nodes) {
      if ((node.type == NodeType::kSet || node.type == NodeType::kBranch) && colour[node.id] == 0 &&
          visit(node)) {
        Error(node.id, "silent_loop",
              "节点 " + node.id + " 所在的分支循环不播报任何内容 / node " + node.id +
                  " is on a loop of set and branch nodes that says nothing");
        return;
      }
    }
  }

  void Branch(const Node& node) {
    auto asked = answers_.find(node.slot);
    const bool set_somewhere = set_slots_.count(node.slot) > 0;
    if (asked == answers_.end() && !set_somewhere) {
      Error(node.id, "unknown_slot",
            "没有任何问题或设置节点给 " + node.slot +
                " 赋值 / no question or set "
                "node gives the slot " +
                node.slot + " a value");
      return;
    }
    std::set<std::string> covered;
    for (const auto& [value, target] : node.cases) covered.insert(value);
    if (open_slots_.count(node.slot) > 0) {
      if (node.otherwise.empty()) {
        Error(node.id, "missing_branch",
              "按键输入的答案可以是任何数字，须有 otherwise / a digits answer can be any number: "
              "add otherwise");
      }
      return;
    }
    if (asked != answers_.end()) {
      std::string missing;
      for (const auto& value : asked->second) {
        if (covered.count(value) == 0) missing += (missing.empty() ? "" : ", ") + value;
      }
      if (!missing.empty() && node.otherwise.empty()) {
        Error(node.id, "missing_branch",
              "答案 " + missing +
                  " 没有去向（补上 cases 或 otherwise） / no "
                  "branch for the answers " +
                  missing + " (add cases or otherwise)");
      }
      for (const auto& value : covered) {
        if (asked->second.count(value) == 0 && !set_somewhere) {
          Warning(node.id, "dead_case",
                  "没有按键会给出答案 " + value + " / no key gives the answer " + value);
        }
      }
    }
  }

  const Script& script_;
  std::vector<Finding> findings_;
  std::map<std::string, std::set<std::string>> answers_;  // slot -> values its asks can give
  std::set<std::string> open_slots_;                      // slots of digits asks: any value
  std::set<std::string> set_slots_;
};

}  // namespace

std::vector<Finding> CheckScript(const Script& script) { return Checker(script).Run(); }

bool HasErrors(const std::vector<Finding>& findings) {
  for (const auto& finding : findings) {
    if (finding.severity == Severity::kError) return true;
  }
  return false;
}

}  // namespace steward::campaign
