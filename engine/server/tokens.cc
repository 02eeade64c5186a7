#include "tokens.h"

#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/sha256.h"

namespace smdl::server {
namespace {

using nlohmann::json;

long long ModifiedNanos(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec + st.st_size;
}

bool IsTokenName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '@')) return false;
  return true;
}

bool IsRoleName(const std::string& role) {
  if (role.empty() || role.size() > 64 || std::isdigit(static_cast<unsigned char>(role[0]))) return false;
  for (char c : role)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

Status WriteTokens(const std::string& path, const std::vector<TokenEntry>& entries) {
  json doc = {{"tokens", json::array()}};
  for (const auto& e : entries)
    doc["tokens"].push_back({{"name", e.name}, {"roles", e.roles}, {"sha256", e.sha256}, {"created", e.created}});
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return IoError("cannot write " + tmp);
    out << doc.dump(2) << "\n";
    out.flush();
    if (!out) return IoError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::permissions(tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ec);
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IoError("cannot replace " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<TokenEntry>> ReadTokens(const std::string& path) {
  std::vector<TokenEntry> entries;
  std::ifstream in(path);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return entries;
    return IoError("cannot read the tokens file " + path);
  }
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  auto bad = [&](const std::string& why) { return InvalidArgument("the tokens file " + path + " " + why); };
  if (!doc.is_object() || !doc.contains("tokens") || !doc["tokens"].is_array())
    return bad("is not a JSON object with a \"tokens\" array");
  for (const auto& t : doc["tokens"]) {
    if (!t.is_object() || !t.value("name", json()).is_string() || !t.value("sha256", json()).is_string() ||
        !t.value("roles", json::array()).is_array())
      return bad("has an entry without a name, a sha256 or a list of roles");
    TokenEntry e;
    e.name = t["name"].get<std::string>();
    e.sha256 = t["sha256"].get<std::string>();
    e.created = t.value("created", "");
    for (const auto& r : t.value("roles", json::array())) {
      if (!r.is_string() || !IsRoleName(r.get<std::string>())) return bad("gives " + e.name + " a role that is not a role name");
      e.roles.push_back(r.get<std::string>());
    }
    if (!IsTokenName(e.name)) return bad("has an entry whose name is not a token name: " + e.name);
    if (e.sha256.size() != 64) return bad("has an entry whose sha256 is not 64 hex digits: " + e.name);
    entries.push_back(std::move(e));
  }
  return entries;
}

StatusOr<std::string> AddToken(const std::string& path, const std::string& name, const std::vector<std::string>& roles,
                               const std::string& created) {
  if (!IsTokenName(name))
    return InvalidArgument("'" + name + "' is not a token name (letters, digits, '_', '-', '.', '@'; at most 64)");
  for (const auto& r : roles)
    if (!IsRoleName(r)) return InvalidArgument("'" + r + "' is not a role name (letters, digits and '_')");
  auto entries = ReadTokens(path);
  if (!entries.ok()) return entries.status();
  for (const auto& e : *entries)
    if (e.name == name) return Status(StatusCode::kAlreadyExists, "there is already a token for " + name + " (remove it first)");
  std::string secret = RandomHex(24);
  if (secret.empty()) return Internal("the system's random generator failed");
  std::string token = "smdl_" + secret;
  entries->push_back({name, roles, Sha256Hex(token), created});
  SMDL_RETURN_IF_ERROR(WriteTokens(path, *entries));
  return token;
}

Status RemoveToken(const std::string& path, const std::string& name) {
  auto entries = ReadTokens(path);
  if (!entries.ok()) return entries.status();
  size_t before = entries->size();
  std::erase_if(*entries, [&](const TokenEntry& e) { return e.name == name; });
  if (entries->size() == before) return NotFound("no token for " + name + " in " + path);
  return WriteTokens(path, *entries);
}

Status TokenStore::Load() {
  auto entries = ReadTokens(path_);
  if (!entries.ok()) return entries.status();
  std::lock_guard<std::mutex> lock(mu_);
  entries_ = std::move(*entries);
  modified_ = ModifiedNanos(path_);
  checked_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

std::optional<Principal> TokenStore::Authenticate(const std::string& token) {
  std::string hash = Sha256Hex(token);
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now - checked_ > std::chrono::seconds(1)) {
    checked_ = now;
    long long modified = ModifiedNanos(path_);
    if (modified != modified_) {
      // A file that no longer reads keeps the tokens last read.
      auto entries = ReadTokens(path_);
      if (entries.ok()) {
        entries_ = std::move(*entries);
        modified_ = modified;
      }
    }
  }
  for (const auto& e : entries_)
    if (ConstantTimeEquals(e.sha256, hash)) return Principal{e.name, e.roles};
  return std::nullopt;
}

}  // namespace smdl::server
