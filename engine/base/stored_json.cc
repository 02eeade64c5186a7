// The only file that sees simdjson.
#include "base/stored_json.h"

#include <simdjson.h>

namespace smdl {
namespace {

using nlohmann::json;

json Convert(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      json out = json::object();
      for (auto field : simdjson::dom::object(e)) out[std::string(field.key)] = Convert(field.value);
      return out;
    }
    case simdjson::dom::element_type::ARRAY: {
      json out = json::array();
      for (auto item : simdjson::dom::array(e)) out.push_back(Convert(item));
      return out;
    }
    case simdjson::dom::element_type::STRING: return json(std::string(std::string_view(e)));
    case simdjson::dom::element_type::INT64: {
      int64_t v = int64_t(e);
      // nlohmann keeps a non-negative integer unsigned.
      return v >= 0 ? json(uint64_t(v)) : json(v);
    }
    case simdjson::dom::element_type::UINT64: return json(uint64_t(e));
    case simdjson::dom::element_type::DOUBLE: return json(double(e));
    case simdjson::dom::element_type::BOOL: return json(bool(e));
    case simdjson::dom::element_type::NULL_VALUE: return json(nullptr);
  }
  return json(nullptr);
}

// Parsers whose objects are gone, kept for the next: allocating a parser's
// buffers is the dearest part of parsing a small document.
thread_local std::vector<simdjson::dom::parser> spare_parsers;
constexpr size_t kMaxSpareParsers = 4;
}  // namespace

// Each object keeps its own parser: its members are views into the
// parser's buffers.
struct StoredObject::Impl {
  Impl() {
    if (!spare_parsers.empty()) {
      parser = std::move(spare_parsers.back());
      spare_parsers.pop_back();
    }
  }
  ~Impl() {
    if (spare_parsers.size() < kMaxSpareParsers) spare_parsers.push_back(std::move(parser));
  }
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::optional<json> fallback;  // what simdjson refused, parsed by nlohmann

  std::optional<simdjson::dom::element> Find(std::string_view key) const {
    simdjson::dom::element e;
    if (object.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
    return e;
  }
};

StoredObject::StoredObject(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StoredObject::StoredObject(StoredObject&&) noexcept = default;
StoredObject& StoredObject::operator=(StoredObject&&) noexcept = default;
StoredObject::~StoredObject() = default;

std::optional<StoredObject> StoredObject::Parse(std::string_view text) {
  auto impl = std::make_unique<Impl>();
  simdjson::dom::element root;
  if (impl->parser.parse(text.data(), text.size(), true).get(root) == simdjson::SUCCESS &&
      root.get(impl->object) == simdjson::SUCCESS)
    return StoredObject(std::move(impl));
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  impl->fallback = std::move(doc);
  return StoredObject(std::move(impl));
}

bool StoredObject::Has(std::string_view key) const {
  if (impl_->fallback) return impl_->fallback->contains(key);
  return impl_->Find(key).has_value();
}

std::optional<std::string_view> StoredObject::String(std::string_view key) const {
  if (impl_->fallback) {
    auto it = impl_->fallback->find(key);
    if (it == impl_->fallback->end() || !it->is_string()) return std::nullopt;
    return std::string_view(it->get_ref<const std::string&>());
  }
  auto e = impl_->Find(key);
  std::string_view out;
  if (!e || e->get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

std::optional<uint64_t> StoredObject::Unsigned(std::string_view key) const {
  if (impl_->fallback) {
    auto it = impl_->fallback->find(key);
    if (it == impl_->fallback->end() || !it->is_number_unsigned()) return std::nullopt;
    return it->get<uint64_t>();
  }
  auto e = impl_->Find(key);
  uint64_t out = 0;
  if (!e || e->get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

std::optional<json> StoredObject::Json(std::string_view key) const {
  if (impl_->fallback) {
    auto it = impl_->fallback->find(key);
    if (it == impl_->fallback->end()) return std::nullopt;
    return *it;
  }
  auto e = impl_->Find(key);
  if (!e) return std::nullopt;
  try {
    return Convert(*e);
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
}

}  // namespace smdl
