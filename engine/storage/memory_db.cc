// The database in memory: an ordered map per family under one lock. Batches
// are applied whole under the lock, so readers see all of a batch or none,
// as with RocksDB; scans visit a copy of the range, so a visitor may call
// back into the database.
#include <array>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "storage/db.h"

namespace smdl::storage {
namespace {

using Table = std::map<std::string, std::string, std::less<>>;

class MemoryDb final : public Db {
 public:
  MemoryDb() : Db(Durability::kAsync) {}

  StatusOr<std::optional<std::string>> Get(Family family, std::string_view key) const override {
    std::shared_lock lock(mu_);
    const Table& t = tables_[static_cast<size_t>(family)];
    auto it = t.find(key);
    if (it == t.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  StatusOr<std::vector<std::optional<std::string>>> MultiGet(Family family,
                                                             const std::vector<std::string>& keys) const override {
    std::shared_lock lock(mu_);
    const Table& t = tables_[static_cast<size_t>(family)];
    std::vector<std::optional<std::string>> out;
    out.reserve(keys.size());
    for (const auto& k : keys) {
      auto it = t.find(k);
      out.push_back(it == t.end() ? std::optional<std::string>() : std::optional<std::string>(it->second));
    }
    return out;
  }

  Status Write(const WriteBatch& batch) override {
    std::unique_lock lock(mu_);
    batch.ForEach([&](Family family, bool is_delete, std::string_view key, std::string_view value) {
      Table& t = tables_[static_cast<size_t>(family)];
      if (is_delete) {
        auto it = t.find(key);
        if (it != t.end()) t.erase(it);
      } else {
        t.insert_or_assign(std::string(key), std::string(value));
      }
    });
    return Status::Ok();
  }

  Status Scan(Family family, std::string_view start, std::string_view end, const Visitor& visit) const override {
    std::vector<std::pair<std::string, std::string>> range;
    {
      std::shared_lock lock(mu_);
      const Table& t = tables_[static_cast<size_t>(family)];
      for (auto it = t.lower_bound(start); it != t.end() && (end.empty() || it->first < end); ++it)
        range.emplace_back(it->first, it->second);
    }
    for (const auto& [key, value] : range)
      if (!visit(key, value)) break;
    return Status::Ok();
  }

  StatusOr<std::optional<std::pair<std::string, std::string>>> Last(Family family) const override {
    std::shared_lock lock(mu_);
    const Table& t = tables_[static_cast<size_t>(family)];
    if (t.empty()) return std::optional<std::pair<std::string, std::string>>();
    return std::optional<std::pair<std::string, std::string>>(*t.rbegin());
  }

  uint64_t ApproximateMemoryBytes() const override {
    std::shared_lock lock(mu_);
    uint64_t bytes = 0;
    for (const Table& t : tables_)
      for (const auto& [key, value] : t) bytes += key.size() + value.size() + 64;  // with the node
    return bytes;
  }

  StatusOr<std::unique_ptr<Db>> CopyInMemory() const override {
    auto copy = std::make_unique<MemoryDb>();
    std::shared_lock lock(mu_);
    copy->tables_ = tables_;
    return std::unique_ptr<Db>(std::move(copy));
  }

 private:
  mutable std::shared_mutex mu_;
  std::array<Table, kFamilyCount> tables_;
};

}  // namespace

std::unique_ptr<Db> Db::OpenInMemory() { return std::make_unique<MemoryDb>(); }

}  // namespace smdl::storage
