// Replays fuzz corpora without libFuzzer: runs LLVMFuzzerTestOneInput over every file in the
// folders named on the command line (and their subfolders), so `make test` (g++, ASan+UBSan)
// re-checks every input that ever found a bug or new coverage.
//
//   csv_fuzz_replay tests/fuzz/corpus/csv   ->  "fuzz replay: 57 inputs ran"
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
    return 2;
  }
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(argv[i], error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      if (it->is_regular_file()) inputs.push_back(it->path());
    }
    if (error) {
      std::fprintf(stderr, "fuzz replay: cannot read %s: %s\n", argv[i], error.message().c_str());
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& input : inputs) {
    std::ifstream file(input, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
  std::printf("fuzz replay: %zu inputs ran\n", inputs.size());
  return inputs.empty() ? 1 : 0;  // an empty corpus means a broken checkout, not a pass
}
