#include "report/tls_json.hpp"

#include <map>
#include <string>
#include <tuple>

#include "base/numbers.hpp"

namespace th {

nlohmann::json tls_to_json(const TlsStats& stats) {
  nlohmann::json negotiated = nlohmann::json::array();
  for (size_t index = 0; index < stats.negotiated_count; ++index) {
    const TlsNegotiated& entry = stats.negotiated[index];
    negotiated.push_back({{"version", entry.version},
                          {"cipher", entry.cipher},
                          {"group", entry.group},
                          {"full", entry.full},
                          {"resumed", entry.resumed}});
  }
  return {
      {"handshakes", {{"full", stats.full}, {"resumed", stats.resumed}, {"failed", stats.failed}}},
      {"early_data",
       {{"accepted", stats.early_data_accepted}, {"rejected", stats.early_data_rejected}}},
      {"handshake_bytes",
       {{"sent", stats.handshake_bytes_sent}, {"received", stats.handshake_bytes_received}}},
      {"negotiated", negotiated},
      {"beyond_table", stats.beyond_table}};
}

nlohmann::json cpu_per_handshake(const nlohmann::json& cpu, const nlohmann::json& tls) {
  const double handshakes = tls.at("handshakes").at("full").get<double>() +
                            tls.at("handshakes").at("resumed").get<double>();
  if (handshakes == 0 || !cpu.contains("client_user_s")) return nullptr;
  nlohmann::json out;
  for (const char* key : {"client_user", "client_system", "server_user", "server_system"}) {
    const nlohmann::json& seconds = cpu.at(std::string(key) + "_s");
    out[key] = seconds.is_number()
                   ? nlohmann::json(rounded(seconds.get<double>() * 1e6 / handshakes))
                   : nlohmann::json(nullptr);
  }
  return out;
}

nlohmann::json merge_tls(const std::vector<const nlohmann::json*>& runs) {
  TlsStats sum;
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, std::pair<uint64_t, uint64_t>> combinations;
  bool any = false;
  for (const nlohmann::json* run : runs) {
    if (!run->contains("tls")) continue;
    any = true;
    const nlohmann::json& tls = run->at("tls");
    sum.full += tls.at("handshakes").at("full").get<uint64_t>();
    sum.resumed += tls.at("handshakes").at("resumed").get<uint64_t>();
    sum.failed += tls.at("handshakes").at("failed").get<uint64_t>();
    if (const auto early = tls.find("early_data");
        early != tls.end()) {  // absent before 0-RTT existed
      sum.early_data_accepted += early->at("accepted").get<uint64_t>();
      sum.early_data_rejected += early->at("rejected").get<uint64_t>();
    }
    sum.handshake_bytes_sent += tls.at("handshake_bytes").at("sent").get<uint64_t>();
    sum.handshake_bytes_received += tls.at("handshake_bytes").at("received").get<uint64_t>();
    sum.beyond_table += tls.value("beyond_table", uint64_t{0});
    for (const nlohmann::json& entry : tls.at("negotiated")) {
      auto& counts = combinations[{entry.at("version").get<std::string>(),
                                   entry.at("cipher").get<std::string>(),
                                   entry.at("group").get<std::string>()}];
      counts.first += entry.at("full").get<uint64_t>();
      counts.second += entry.at("resumed").get<uint64_t>();
    }
  }
  if (!any) return nullptr;
  nlohmann::json out = tls_to_json(sum);
  for (const auto& [key, counts] : combinations) {
    out["negotiated"].push_back({{"version", std::get<0>(key)},
                                 {"cipher", std::get<1>(key)},
                                 {"group", std::get<2>(key)},
                                 {"full", counts.first},
                                 {"resumed", counts.second}});
  }
  return out;
}

}  // namespace th
