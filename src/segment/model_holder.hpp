// ModelHolder: the current version of the resident read model for a server or a command.
//
// Readers call Current() and keep the shared_ptr for as long as they evaluate: a version never
// changes, and it lives until its last holder lets go. Refresh() catches the model up from the
// change log (ResidentModel::CatchUp; the first call loads it) and then swaps the pointer.
//
// Thread-safety: every member may be called from any thread. `refresh_mutex_` serialises
// Refresh calls (one writer at a time, held across the database reads); `current_mutex_` guards
// only the pointer and is held just to copy or swap it, so readers are never blocked by a refresh
// in progress.
#pragma once

#include <memory>
#include <mutex>

#include "base/result.hpp"
#include "segment/read_model.hpp"
#include "storage/database.hpp"

namespace steward::segment {

class ModelHolder {
 public:
  ModelHolder() : ModelHolder(ResidentModel::Options{}) {}
  explicit ModelHolder(ResidentModel::Options options) : options_(options) {}

  // The current version; nullptr before the first successful Refresh.
  std::shared_ptr<const ResidentModel> Current() const;
  // Catches up with every change committed up to now. On failure the current version stays.
  Status Refresh(storage::Database& database);

 private:
  const ResidentModel::Options options_;
  std::mutex refresh_mutex_;
  mutable std::mutex current_mutex_;
  std::shared_ptr<const ResidentModel> current_;  // guarded by current_mutex_
};

}  // namespace steward::segment
