#include <string>
#include <utility>
#include <vector>

#include "scenario/fields.hpp"

namespace th::scenario_detail {

using nlohmann::json;

namespace {

constexpr std::pair<const char*, TlsVersion> kVersions[] = {{"1.2", TlsVersion::tls1_2},
                                                            {"1.3", TlsVersion::tls1_3}};
constexpr std::pair<const char*, TlsResumption> kResumptions[] = {
    {"none", TlsResumption::none},
    {"tickets", TlsResumption::tickets},
    {"session_id", TlsResumption::session_id}};
constexpr std::pair<const char*, TlsKeyType> kKeyTypes[] = {{"ecdsa-p256", TlsKeyType::ecdsa_p256},
                                                            {"rsa-2048", TlsKeyType::rsa_2048},
                                                            {"rsa-4096", TlsKeyType::rsa_4096},
                                                            {"ed25519", TlsKeyType::ed25519}};

// OpenSSL lists and names: printable, no spaces (a space would split the list silently).
std::string list_text(const Checks& c, const json& v, const std::string& p) {
  std::string text = c.string(v, p);
  if (text.empty() || has_space_or_control(text)) {
    c.fail(p, "must be a non-empty OpenSSL list without spaces, e.g. \"X25519:P-256\"", v);
  }
  return text;
}

std::vector<std::string> read_alpn(const Checks& c, const json& v, const std::string& p) {
  c.array(v, p);
  std::vector<std::string> protocols;
  for (size_t index = 0; index < v.size(); ++index) {
    const std::string item_pointer = p + "/" + std::to_string(index);
    std::string protocol = c.string(v[index], item_pointer);
    // RFC 7301: each protocol name is 1 to 255 bytes.
    if (protocol.empty() || protocol.size() > 255) {
      c.fail(item_pointer, "must be a protocol name of 1 to 255 bytes (\"http/1.1\")", v[index]);
    }
    protocols.push_back(std::move(protocol));
  }
  return protocols;
}

}  // namespace

const std::vector<std::string>& tls_keys() {
  static const std::vector<std::string> keys = {
      "version", "resumption", "early_data", "ciphers",  "ciphersuites", "groups",   "alpn",
      "sni",     "verify",     "ca_file",    "key_type", "cert_file",    "key_file", "ktls"};
  return keys;
}

TlsOptions read_tls(const Checks& c, const json& v, const std::string& p) {
  c.object(v, p);
  TlsOptions tls;
  for (const auto& [key, item] : v.items()) {
    const std::string item_pointer = p + "/" + pointer_token(key);
    if (key == "version" && item.is_number()) {
      // --set tls.version=1.3 arrives as a number; it means the same as "1.3".
      const double number = item.get<double>();
      if (number != 1.2 && number != 1.3) c.one_of(item, item_pointer, kVersions);  // refuses
      tls.version = number == 1.2 ? TlsVersion::tls1_2 : TlsVersion::tls1_3;
    } else if (key == "version") {
      tls.version = c.one_of(item, item_pointer, kVersions);
    } else if (key == "resumption") {
      tls.resumption = c.one_of(item, item_pointer, kResumptions);
    } else if (key == "early_data") {
      tls.early_data = c.boolean(item, item_pointer);
    } else if (key == "ciphers") {
      tls.ciphers = list_text(c, item, item_pointer);
    } else if (key == "ciphersuites") {
      tls.ciphersuites = list_text(c, item, item_pointer);
    } else if (key == "groups") {
      tls.groups = list_text(c, item, item_pointer);
    } else if (key == "alpn") {
      tls.alpn = read_alpn(c, item, item_pointer);
    } else if (key == "sni") {
      tls.sni = list_text(c, item, item_pointer);
    } else if (key == "verify") {
      tls.verify = c.boolean(item, item_pointer);
    } else if (key == "ca_file") {
      tls.ca_file = c.string(item, item_pointer);
    } else if (key == "key_type") {
      tls.key_type = c.one_of(item, item_pointer, kKeyTypes);
    } else if (key == "cert_file") {
      tls.cert_file = c.string(item, item_pointer);
    } else if (key == "key_file") {
      tls.key_file = c.string(item, item_pointer);
    } else if (key == "ktls") {
      tls.ktls = c.boolean(item, item_pointer);
    } else {
      c.unknown_key(item_pointer, tls_keys());
    }
  }
  if (tls.resumption == TlsResumption::session_id && tls.version != TlsVersion::tls1_2) {
    c.fail(p + "/resumption",
           "session_id is TLS 1.2's resumption (TLS 1.3 resumes with tickets only): set "
           "tls.version to \"1.2\" or resumption to \"tickets\"");
  }
  if (tls.early_data &&
      (tls.version == TlsVersion::tls1_2 || tls.resumption != TlsResumption::tickets)) {
    c.fail(p + "/early_data",
           "early data (0-RTT) is sent only when a TLS 1.3 session is resumed from a ticket: set "
           "tls.resumption to \"tickets\" and tls.version to \"1.3\" (or leave it out)");
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    c.fail(p + (tls.cert_file.empty() ? "/key_file" : "/cert_file"),
           "cert_file and key_file come together: the certificate and its private key");
  }
  if (!tls.ca_file.empty() && !tls.verify) {
    c.fail(p + "/ca_file", "is read only with verify: true; set verify or remove ca_file");
  }
  return tls;
}

void check_tls_rules(const Checks& checks, const Scenario& scenario) {
  if (!scenario.tls) return;
  const TlsOptions& tls = *scenario.tls;
  if (tls.early_data && scenario.protocol == Protocol::stream) {
    checks.fail("/tls/early_data",
                "is for a request that opens a connection; a stream is one bulk transfer with "
                "nothing to send early: use protocol http or echo");
  }
  if (!scenario.target) {
    if (tls.verify) {
      checks.fail("/tls/verify",
                  "the embedded server's certificate is made at start and self-signed, so there "
                  "is nothing to verify it against; verify is for a target");
    }
    return;
  }
  if (!tls.cert_file.empty() || tls.key_type != TlsKeyType::ecdsa_p256) {
    checks.fail(tls.cert_file.empty() ? "/tls/key_type" : "/tls/cert_file",
                "is the embedded server's certificate; a target has its own");
  }
}

}  // namespace th::scenario_detail
