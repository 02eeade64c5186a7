// JSON that smdl wrote itself and reads back on its hot paths (stored
// records, read at every fire and by every query), parsed with simdjson,
// which is several times faster than nlohmann's parser on small documents.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace smdl {

// A stored JSON object read member by member, without building a tree for
// the members that are only a string or a number. A member asked for as a
// tree is the one nlohmann's parser gives for the same text (non-negative
// integers unsigned); text simdjson refuses (an integer beyond 64 bits, say)
// is parsed by nlohmann instead.
class StoredObject {
 public:
  // Nothing when `text` is not a JSON object.
  static std::optional<StoredObject> Parse(std::string_view text);
  StoredObject(StoredObject&&) noexcept;
  StoredObject& operator=(StoredObject&&) noexcept;
  ~StoredObject();

  bool Has(std::string_view key) const;
  // The member `key` when it is a string (a view into this object).
  std::optional<std::string_view> String(std::string_view key) const;
  // The member `key` when it is a non-negative integer.
  std::optional<uint64_t> Unsigned(std::string_view key) const;
  // The member `key` as a tree (as ParseStoredJson would give it).
  std::optional<nlohmann::json> Json(std::string_view key) const;

 private:
  struct Impl;
  explicit StoredObject(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace smdl
