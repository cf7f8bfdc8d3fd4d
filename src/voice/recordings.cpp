#include "voice/recordings.hpp"

#include <fstream>
#include <iterator>

namespace steward::voice {

std::filesystem::path RecordingPath(const std::filesystem::path& dir, std::string_view call_id) {
  return dir / (std::string(call_id) + ".wav");
}

Result<std::filesystem::path> SaveRecording(const std::filesystem::path& dir,
                                            std::string_view call_id, std::string_view wav) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Fail(ErrorCode::kUnavailable,
                "cannot create the recordings folder " + dir.string() + ": " + error.message());
  }
  const std::filesystem::path path = RecordingPath(dir, call_id);
  STEWARD_TRY(WriteWhole(path, wav));
  return path;
}

std::string ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Status WriteWhole(const std::filesystem::path& path, std::string_view bytes) {
  std::error_code error;
  std::filesystem::path part = path;
  part += ".part";
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(part, error);
      return Fail(ErrorCode::kUnavailable, "cannot write " + part.string());
    }
  }
  std::filesystem::rename(part, path, error);
  if (error) {
    std::filesystem::remove(part, error);
    return Fail(ErrorCode::kUnavailable, "cannot keep " + path.string());
  }
  return Ok();
}

Result<int> PruneRecordings(const std::filesystem::path& dir, std::chrono::hours max_age,
                            std::filesystem::file_time_type now) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return 0;
  const auto cutoff = now - max_age;
  int deleted = 0;
  std::filesystem::directory_iterator it(dir, error);
  if (error) {
    return Fail(ErrorCode::kUnavailable,
                "cannot list the recordings folder " + dir.string() + ": " + error.message());
  }
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".wav") && !name.ends_with(".wav.part")) continue;
    if (!entry.is_regular_file(error)) continue;
    const auto written = entry.last_write_time(error);
    if (error || written >= cutoff) continue;
    if (std::filesystem::remove(entry.path(), error)) ++deleted;
  }
  return deleted;
}

}  // namespace steward::voice
