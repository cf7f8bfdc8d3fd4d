#include "app/config.hpp"

#include <cstdlib>

#include <toml++/toml.h>

namespace steward::app {
namespace {

void FromEnvironment(const char* name, std::string& field) {
  if (const char* value = std::getenv(name); value && *value) field = value;
}

}  // namespace

Result<Config> LoadConfig(const std::filesystem::path& toml_path, bool toml_required) {
  Config config;
  std::error_code ec;
  if (std::filesystem::exists(toml_path, ec)) {
    toml::table table;
    try {
      table = toml::parse_file(toml_path.string());
    } catch (const toml::parse_error& error) {
      return Fail(ErrorCode::kInvalidArgument,
                  "cannot read " + toml_path.string() + ": " + std::string(error.description()));
    }
    config.database_url = table["database"]["url"].value_or(config.database_url);
    config.listen = table["server"]["listen"].value_or(config.listen);
    config.node_id = static_cast<int>(table["server"]["node_id"].value_or(int64_t{config.node_id}));
    config.key_file = table["pii"]["key_file"].value_or(config.key_file);
    config.log_level = table["log"]["level"].value_or(config.log_level);
    config.division_dir = table["org"]["division_dir"].value_or(config.division_dir);
    config.data_dir = table["server"]["data_dir"].value_or(config.data_dir);
    config.static_dir = table["server"]["static_dir"].value_or(config.static_dir);
    config.access_log = table["log"]["access_log"].value_or(config.access_log);
    config.io_threads =
        static_cast<int>(table["server"]["io_threads"].value_or(int64_t{config.io_threads}));
    config.workers = static_cast<int>(table["server"]["workers"].value_or(int64_t{config.workers}));
    config.job_retention_days = static_cast<int>(
        table["server"]["job_retention_days"].value_or(int64_t{config.job_retention_days}));
    config.run_campaigns = table["campaign"]["run"].value_or(config.run_campaigns);
    config.holidays = table["campaign"]["holidays"].value_or(config.holidays);
    config.max_calls =
        static_cast<int>(table["campaign"]["max_calls"].value_or(int64_t{config.max_calls}));
    config.sip_trunk = table["voice"]["trunk"].value_or(config.sip_trunk);
    config.recording_retention_days =
        static_cast<int>(table["voice"]["recording_retention_days"].value_or(
            int64_t{config.recording_retention_days}));
    const auto voice = table["voice"];
    config.sip_local_address = voice["local_address"].value_or(config.sip_local_address);
    config.sip_port = static_cast<int>(voice["sip_port"].value_or(int64_t{config.sip_port}));
    config.sip_caller_id = voice["caller_id"].value_or(config.sip_caller_id);
    config.sip_display_name = voice["display_name"].value_or(config.sip_display_name);
    config.sip_auth_user = voice["auth_user"].value_or(config.sip_auth_user);
    config.sip_auth_password = voice["auth_password"].value_or(config.sip_auth_password);
    config.sip_registrar = voice["registrar"].value_or(config.sip_registrar);
    config.sip_register_expires =
        static_cast<int>(voice["register_expires"].value_or(int64_t{config.sip_register_expires}));
    config.sip_max_calls =
        static_cast<int>(table["voice"]["max_calls"].value_or(int64_t{config.sip_max_calls}));
    const auto speech = table["speech"];
    config.tts_url = speech["tts_url"].value_or(config.tts_url);
    config.tts_model = speech["tts_model"].value_or(config.tts_model);
    config.tts_voice = speech["tts_voice"].value_or(config.tts_voice);
    config.asr_url = speech["asr_url"].value_or(config.asr_url);
    config.asr_model = speech["asr_model"].value_or(config.asr_model);
    config.speech_api_key = speech["api_key"].value_or(config.speech_api_key);
    if (const auto* prefixes = table["voice"]["allowed_prefixes"].as_array()) {
      for (const auto& prefix : *prefixes) {
        if (auto text = prefix.value<std::string>()) config.sip_allowed_prefixes.push_back(*text);
      }
    }
  } else if (toml_required) {
    return Fail(ErrorCode::kNotFound, "no configuration file " + toml_path.string());
  }
  FromEnvironment("STEWARD_DB", config.database_url);
  FromEnvironment("STEWARD_LISTEN", config.listen);
  FromEnvironment("STEWARD_KEY_FILE", config.key_file);
  FromEnvironment("STEWARD_LOG_LEVEL", config.log_level);
  FromEnvironment("STEWARD_DIVISION_DIR", config.division_dir);
  FromEnvironment("STEWARD_DATA_DIR", config.data_dir);
  FromEnvironment("STEWARD_STATIC_DIR", config.static_dir);
  FromEnvironment("STEWARD_HOLIDAYS", config.holidays);
  FromEnvironment("STEWARD_SIP_TRUNK", config.sip_trunk);
  FromEnvironment("STEWARD_SIP_PASSWORD", config.sip_auth_password);
  FromEnvironment("STEWARD_TTS_URL", config.tts_url);
  FromEnvironment("STEWARD_ASR_URL", config.asr_url);
  FromEnvironment("STEWARD_SPEECH_API_KEY", config.speech_api_key);
  if (const char* run = std::getenv("STEWARD_CAMPAIGNS"); run && *run) {
    config.run_campaigns = std::string_view(run) != "false" && std::string_view(run) != "0";
  }
  if (const char* node = std::getenv("STEWARD_NODE_ID"); node && *node) {
    config.node_id = std::atoi(node);
  }
  return config;
}

}  // namespace steward::app
