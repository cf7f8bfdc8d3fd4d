#include "segment/model_holder.hpp"

#include <utility>

namespace steward::segment {

std::shared_ptr<const ResidentModel> ModelHolder::Current() const {
  std::lock_guard lock(current_mutex_);
  return current_;
}

Status ModelHolder::Refresh(storage::Database& database) {
  std::lock_guard refresh(refresh_mutex_);
  auto next = database.Read([&](storage::Connection& connection) {
    return ResidentModel::CatchUp(Current(), connection, options_);
  });
  if (!next) return tl::unexpected(next.error());
  std::shared_ptr<const ResidentModel> old;
  {
    std::lock_guard lock(current_mutex_);
    old = std::exchange(current_, std::move(*next));
  }
  return Ok();  // `old` is released here, outside the lock
}

}  // namespace steward::segment
