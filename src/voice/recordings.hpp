// Call recordings on disk: one stereo WAV per call at <dir>/<call id>.wav (the call id is the
// campaign's attempt id, so names are unique), written whole — into <name>.part, then renamed —
// so whoever reads the folder (the API, the ledger) never sees half a call; and their retention.
// Thread-safety: free functions on the file system; concurrent writers use different call ids.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace steward::voice {

std::filesystem::path RecordingPath(const std::filesystem::path& dir, std::string_view call_id);

// Writes `wav` (a whole WAV file) as the recording of `call_id`, creating `dir` when missing.
Result<std::filesystem::path> SaveRecording(const std::filesystem::path& dir,
                                            std::string_view call_id, std::string_view wav);

// Writes `bytes` to `path` whole: into <path>.part, then renamed (readers never see half a file).
// kUnavailable naming the file when it cannot.
Status WriteWhole(const std::filesystem::path& path, std::string_view bytes);

// The bytes of the file at `path`; empty when it cannot be read (or is empty).
std::string ReadWhole(const std::filesystem::path& path);

// Deletes the recordings (and left-over .part files) last written before `now - max_age`;
// returns how many were deleted. A missing folder holds none.
Result<int> PruneRecordings(
    const std::filesystem::path& dir, std::chrono::hours max_age,
    std::filesystem::file_time_type now = std::filesystem::file_time_type::clock::now());

}  // namespace steward::voice
