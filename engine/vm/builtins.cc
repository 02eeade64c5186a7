// CEL's standard functions: size, string tests, conversions, timestamp and
// duration accessors (with optional time zone), optional values.
#include <re2/re2.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <date/tz.h>
#include <limits>

#include "base/utf8.h"  // FindInvalidUtf8
#include "vm/ops.h"

namespace smdl::vm {

class Regex {
 public:
  explicit Regex(const std::string& pattern) : re_(pattern, RE2::Quiet) {}
  bool ok() const { return re_.ok(); }
  std::string error() const { return re_.error(); }
  bool Matches(const std::string& text) const { return RE2::PartialMatch(text, re_); }

 private:
  RE2 re_;
};

std::shared_ptr<const Regex> CompileRegex(const std::string& pattern, std::string* error) {
  auto re = std::make_shared<const Regex>(pattern);
  if (!re->ok()) {
    if (error) *error = "invalid regular expression '" + pattern + "': " + re->error();
    return nullptr;
  }
  return re;
}

bool RegexMatches(const Regex& re, const std::string& text) { return re.Matches(text); }

namespace {

using K = ValueKind;

struct BuiltinEntry {
  const char* name;
  Builtin id;
  bool receiver;  // receiver-style allowed
  bool global;    // function-style allowed
  int min_args, max_args;  // counting the receiver
};

const BuiltinEntry kBuiltins[] = {
#define SMDL_BUILTIN_ENTRY(id, name, receiver, global, min_args, max_args) \
  {name, Builtin::id, receiver, global, min_args, max_args},
    SMDL_BUILTINS(SMDL_BUILTIN_ENTRY)
#undef SMDL_BUILTIN_ENTRY
};

Value Bad(Builtin b) { return ops::NoSuchOverload(BuiltinName(b)); }

// ---------------------------------------------------------------- conversions

Value ToInt(const Value& v) {
  switch (v.kind()) {
    case K::kInt: return v;
    case K::kUint:
      if (v.uint_value() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return Value::Error("integer overflow: int(" + v.DebugString() + ")");
      return Value::Int(static_cast<int64_t>(v.uint_value()));
    case K::kDouble: {
      double d = v.double_value();
      // The range is exclusive at both ends, as the doubles nearest to the
      // int64 limits are themselves out of range.
      if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0)) return Value::Error("integer overflow: int(" + FormatDouble(d) + ")");
      return Value::Int(static_cast<int64_t>(d));
    }
    case K::kString: {
      const std::string& s = v.string_value();
      int64_t out = 0;
      auto r = std::from_chars(s.data(), s.data() + s.size(), out);
      if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
        return Value::Error("cannot convert '" + s + "' to int");
      return Value::Int(out);
    }
    case K::kTimestamp: return Value::Int(v.int_value());
    case K::kEnum: return Value::Int(v.enum_index());
    default: return Bad(Builtin::kToInt);
  }
}

Value ToUint(const Value& v) {
  switch (v.kind()) {
    case K::kUint: return v;
    case K::kInt:
      if (v.int_value() < 0) return Value::Error("integer overflow: uint(" + v.DebugString() + ")");
      return Value::Uint(static_cast<uint64_t>(v.int_value()));
    case K::kDouble: {
      double d = v.double_value();
      if (!(d > -1.0 && d < 18446744073709551616.0)) return Value::Error("integer overflow: uint(" + FormatDouble(d) + ")");
      return Value::Uint(static_cast<uint64_t>(d));
    }
    case K::kString: {
      const std::string& s = v.string_value();
      uint64_t out = 0;
      auto r = std::from_chars(s.data(), s.data() + s.size(), out);
      if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
        return Value::Error("cannot convert '" + s + "' to uint");
      return Value::Uint(out);
    }
    default: return Bad(Builtin::kToUint);
  }
}

Value ToDouble(const Value& v) {
  switch (v.kind()) {
    case K::kDouble: return v;
    case K::kInt: return Value::Double(static_cast<double>(v.int_value()));
    case K::kUint: return Value::Double(static_cast<double>(v.uint_value()));
    case K::kString: {
      const std::string& s = v.string_value();
      if (s == "NaN") return Value::Double(std::numeric_limits<double>::quiet_NaN());
      if (s == "Infinity" || s == "+Infinity" || s == "inf" || s == "+inf") return Value::Double(HUGE_VAL);
      if (s == "-Infinity" || s == "-inf") return Value::Double(-HUGE_VAL);
      double out = 0;
      const char* begin = s.data();
      if (!s.empty() && s[0] == '+') ++begin;
      auto r = std::from_chars(begin, s.data() + s.size(), out);
      if (s.empty() || r.ptr != s.data() + s.size() ||
          (r.ec != std::errc() && r.ec != std::errc::result_out_of_range))
        return Value::Error("cannot convert '" + s + "' to double");
      if (r.ec == std::errc::result_out_of_range) out = std::strtod(s.c_str(), nullptr);
      return Value::Double(out);
    }
    default: return Bad(Builtin::kToDouble);
  }
}

std::string DoubleToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

Value ToString(const Value& v) {
  switch (v.kind()) {
    case K::kString: return v;
    case K::kInt: return Value::String(std::to_string(v.int_value()));
    case K::kUint: return Value::String(std::to_string(v.uint_value()));
    case K::kDouble: return Value::String(DoubleToString(v.double_value()));
    case K::kBool: return Value::String(v.bool_value() ? "true" : "false");
    case K::kBytes:
      if (FindInvalidUtf8(v.string_value()) != std::string::npos) return Value::Error("invalid UTF-8 in bytes");
      return Value::String(v.string_value());
    case K::kTimestamp: return Value::String(FormatTimestamp(v.timestamp_value()));
    case K::kDuration: return Value::String(FormatDuration(v.duration_value()));
    case K::kEnum: return Value::String(v.enum_name());
    case K::kRef: return Value::String(v.ref_id());
    default: return Bad(Builtin::kToString);
  }
}

Value ToBool(const Value& v) {
  if (v.is(K::kBool)) return v;
  if (!v.is(K::kString)) return Bad(Builtin::kToBool);
  const std::string& s = v.string_value();
  if (s == "true" || s == "True" || s == "TRUE" || s == "t" || s == "1") return Value::Bool(true);
  if (s == "false" || s == "False" || s == "FALSE" || s == "f" || s == "0") return Value::Bool(false);
  return Value::Error("cannot convert '" + s + "' to bool");
}

Value ToTimestamp(const Value& v) {
  switch (v.kind()) {
    case K::kTimestamp: return v;
    case K::kInt: return Value::TimestampChecked({v.int_value(), 0});
    case K::kString: {
      auto t = ParseTimestamp(v.string_value());
      if (!t) return Value::Error("cannot convert '" + v.string_value() + "' to timestamp");
      return Value::TimestampChecked(*t);
    }
    default: return Bad(Builtin::kToTimestamp);
  }
}

Value ToDuration(const Value& v) {
  switch (v.kind()) {
    case K::kDuration: return v;
    case K::kString: {
      auto d = ParseDuration(v.string_value());
      if (!d) return Value::Error("cannot convert '" + v.string_value() + "' to duration");
      return Value::DurationChecked(*d);
    }
    case K::kInt: return Value::DurationChecked({v.int_value(), 0});
    default: return Bad(Builtin::kToDuration);
  }
}

// ---------------------------------------------------------------- time

struct CivilTime {
  int64_t year;
  unsigned month, day;  // 1-based
  int64_t day_of_year;  // 0-based
  unsigned weekday;     // 0 = Sunday
  int64_t hours, minutes, seconds, millis;
};

// Parses "+05:30" / "-08:00" style fixed offsets.
bool FixedOffset(std::string tz, int64_t& seconds) {
  if (tz.size() == 5 && tz[2] == ':') tz = "+" + tz;
  if (tz.size() != 6 || (tz[0] != '+' && tz[0] != '-') || tz[3] != ':') return false;
  auto digit = [&](size_t i) { return tz[i] >= '0' && tz[i] <= '9'; };
  if (!digit(1) || !digit(2) || !digit(4) || !digit(5)) return false;
  int64_t h = (tz[1] - '0') * 10 + (tz[2] - '0'), m = (tz[4] - '0') * 10 + (tz[5] - '0');
  seconds = (h * 3600 + m * 60) * (tz[0] == '-' ? -1 : 1);
  return true;
}

// Local time of `t` in `tz` (UTC when empty); false with `error` set if the
// zone is unknown.
bool ToCivil(smdl::Timestamp t, const std::string* tz, CivilTime& out, std::string& error) {
  int64_t local = t.seconds;
  if (tz != nullptr && !tz->empty() && *tz != "UTC") {
    int64_t offset = 0;
    if (FixedOffset(*tz, offset)) {
      local += offset;
    } else {
      try {
        const date::time_zone* zone = date::locate_zone(*tz);
        auto info = zone->get_info(date::sys_seconds(std::chrono::seconds(t.seconds)));
        local += info.offset.count();
      } catch (const std::exception&) {
        error = "unknown time zone '" + *tz + "'";
        return false;
      }
    }
  }
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t secs = local - days * 86400;
  date::sys_days sd{date::days(days)};
  date::year_month_day ymd{sd};
  out.year = static_cast<int>(ymd.year());
  out.month = static_cast<unsigned>(ymd.month());
  out.day = static_cast<unsigned>(ymd.day());
  date::sys_days jan1{date::year_month_day{ymd.year(), date::January, date::day(1)}};
  out.day_of_year = (sd - jan1).count();
  out.weekday = date::weekday(sd).c_encoding();
  out.hours = secs / 3600;
  out.minutes = secs / 60 % 60;
  out.seconds = secs % 60;
  out.millis = t.nanos / 1000000;
  return true;
}

Value TimeAccessor(Builtin b, const Value* args, size_t argc) {
  const Value& r = args[0];
  if (r.is(K::kDuration)) {
    if (argc != 1) return Bad(b);
    int64_t secs = r.int_value();
    switch (b) {
      case Builtin::kGetHours: return Value::Int(secs / 3600);
      case Builtin::kGetMinutes: return Value::Int(secs / 60);
      case Builtin::kGetSeconds: return Value::Int(secs);
      case Builtin::kGetMilliseconds: return Value::Int(r.enum_index() / 1000000);
      default: return Bad(b);
    }
  }
  if (!r.is(K::kTimestamp)) return Bad(b);
  const std::string* tz = nullptr;
  if (argc == 2) {
    if (!args[1].is(K::kString)) return Bad(b);
    tz = &args[1].string_value();
  }
  CivilTime c;
  std::string error;
  if (!ToCivil(r.timestamp_value(), tz, c, error)) return Value::Error(error);
  switch (b) {
    case Builtin::kGetFullYear: return Value::Int(c.year);
    case Builtin::kGetMonth: return Value::Int(c.month - 1);
    case Builtin::kGetDayOfYear: return Value::Int(c.day_of_year);
    case Builtin::kGetDayOfMonth: return Value::Int(c.day - 1);
    case Builtin::kGetDate: return Value::Int(c.day);
    case Builtin::kGetDayOfWeek: return Value::Int(c.weekday);
    case Builtin::kGetHours: return Value::Int(c.hours);
    case Builtin::kGetMinutes: return Value::Int(c.minutes);
    case Builtin::kGetSeconds: return Value::Int(c.seconds);
    case Builtin::kGetMilliseconds: return Value::Int(c.millis);
    default: return Bad(b);
  }
}

}  // namespace

const char* BuiltinName(Builtin b) {
  for (const auto& e : kBuiltins)
    if (e.id == b) return e.name;
  return "?";
}

std::optional<Builtin> FindBuiltin(std::string_view name, bool receiver, size_t argc) {
  for (const auto& e : kBuiltins) {
    if (name != e.name) continue;
    if (receiver ? !e.receiver : !e.global) continue;
    if (static_cast<int>(argc) < e.min_args || static_cast<int>(argc) > e.max_args) continue;
    return e.id;
  }
  return std::nullopt;
}

Value CallBuiltin(Builtin b, const Value* args, size_t argc, Budget& budget) {
  // Optional accessors look at the optional itself; everything else is strict.
  if (b == Builtin::kHasValue) {
    if (args[0].is_error()) return args[0];
    if (args[0].is(K::kOptional)) return Value::Bool(args[0].has_value());
    return Value::Bool(!args[0].is_null());
  }
  for (size_t i = 0; i < argc; ++i)
    if (args[i].is_error()) return args[i];
  const Value& a = args[0];
  switch (b) {
    case Builtin::kSum: {
      // Numbers and durations; the zero comes from the list's static type
      // (an int when it is not known), so an empty list sums to 0, 0.0 or 0s.
      if (!a.is(K::kList)) return Bad(b);
      Value total = argc > 1 ? args[1] : Value::Int(0);
      for (const Value& item : a.list()) {
        if (!(item.is(K::kInt) || item.is(K::kUint) || item.is(K::kDouble) || item.is(K::kDuration))) return Bad(b);
        total = ops::Add(total, item);
        if (total.is_error()) return total;
      }
      budget.steps += a.list().size();
      return total;
    }
    case Builtin::kMin:
    case Builtin::kMax: {
      // Numbers, durations, timestamps and strings, compared as `<` does.
      if (!a.is(K::kList)) return Bad(b);
      if (a.list().empty()) return Value::Error(std::string(BuiltinName(b)) + "() of an empty list");
      Value best = a.list().front();
      for (const Value& item : a.list()) {
        if (!(item.is(K::kInt) || item.is(K::kUint) || item.is(K::kDouble) || item.is(K::kDuration) ||
              item.is(K::kTimestamp) || item.is(K::kString)))
          return Bad(b);
        Value better = b == Builtin::kMin ? ops::Less(item, best) : ops::Less(best, item);
        if (better.is_error()) return better;
        if (better.bool_value()) best = item;
      }
      budget.steps += a.list().size();
      return best;
    }
    case Builtin::kSize:
      switch (a.kind()) {
        case K::kString: {
          // Code points: every byte but UTF-8 continuation bytes.
          int64_t n = 0;
          for (unsigned char c : a.string_value()) n += (c & 0xC0) != 0x80;
          return Value::Int(n);
        }
        case K::kBytes: return Value::Int(static_cast<int64_t>(a.string_value().size()));
        case K::kList: return Value::Int(static_cast<int64_t>(a.list().size()));
        case K::kMap: return Value::Int(static_cast<int64_t>(a.map().size()));
        default: return Bad(b);
      }
    case Builtin::kContains:
    case Builtin::kStartsWith:
    case Builtin::kEndsWith: {
      if (!a.is(K::kString) || !args[1].is(K::kString)) return Bad(b);
      std::string_view s = a.string_value(), t = args[1].string_value();
      if (b == Builtin::kContains) return Value::Bool(s.find(t) != std::string_view::npos);
      if (b == Builtin::kStartsWith) return Value::Bool(s.substr(0, t.size()) == t);
      return Value::Bool(s.size() >= t.size() && s.substr(s.size() - t.size()) == t);
    }
    case Builtin::kLowerAscii:
    case Builtin::kUpperAscii: {
      // ASCII letters only, as CEL's strings extension: other bytes, and so
      // every non-ASCII character of the UTF-8 text, are left as they are.
      if (!a.is(K::kString)) return Bad(b);
      std::string out(a.string_value());
      for (char& c : out) {
        if (b == Builtin::kLowerAscii && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (b == Builtin::kUpperAscii && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      return Value::String(std::move(out));
    }
    case Builtin::kMatches: {
      if (!a.is(K::kString) || !args[1].is(K::kString)) return Bad(b);
      std::string error;
      auto re = CompileRegex(args[1].string_value(), &error);
      if (!re) return Value::Error(error);
      return Value::Bool(re->Matches(a.string_value()));
    }
    case Builtin::kToInt: return ToInt(a);
    case Builtin::kToUint: return ToUint(a);
    case Builtin::kToDouble: return ToDouble(a);
    case Builtin::kToString: {
      Value s = ToString(a);
      if (s.is(K::kString)) budget.size += s.string_value().size();
      return s;
    }
    case Builtin::kToBytes:
      if (a.is(K::kBytes)) return a;
      if (a.is(K::kString)) return Value::Bytes(a.string_value());
      return Bad(b);
    case Builtin::kToBool: return ToBool(a);
    case Builtin::kToTimestamp: return ToTimestamp(a);
    case Builtin::kToDuration: return ToDuration(a);
    case Builtin::kDyn: return a;
    case Builtin::kTypeOf: return Value::TypeInterned(ops::TypeNameOf(a));
    case Builtin::kGetFullYear:
    case Builtin::kGetMonth:
    case Builtin::kGetDayOfYear:
    case Builtin::kGetDayOfMonth:
    case Builtin::kGetDate:
    case Builtin::kGetDayOfWeek:
    case Builtin::kGetHours:
    case Builtin::kGetMinutes:
    case Builtin::kGetSeconds:
    case Builtin::kGetMilliseconds: return TimeAccessor(b, args, argc);
    case Builtin::kOptValue:
      if (a.is(K::kOptional)) return a.has_value() ? a.optional_value() : Value::Error("optional.none() has no value");
      if (a.is_null()) return Value::Error("optional.none() has no value");
      return a;
    case Builtin::kOrValue:
      if (a.is(K::kOptional)) return a.has_value() ? a.optional_value() : args[1];
      if (a.is_null()) return args[1];
      return a;
    case Builtin::kHasValue: break;
  }
  return Bad(b);
}

}  // namespace smdl::vm
