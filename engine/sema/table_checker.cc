// Decision tables: header, cells, outputs, and the hit-policy analysis.
//
// Cells are constants, so each input column splits its domain into "atoms":
// the values of a finite type (bool, enum), or for an ordered type the
// constants the cells mention and the open intervals between them. Every
// cell is then a set of atoms, and enumerating the product of the columns'
// atoms decides gaps (inputs no row covers), overlaps (under `unique`),
// rows that can never match (under `first`) and conflicting outputs (under
// `any`) exactly.
#include <algorithm>
#include <set>

#include "base/time.h"
#include "sema/expr_checker.h"
#include "sema/passes.h"
#include "sema/scope.h"

namespace smdl::sema {
namespace {

using K = TypeKind;

// A constant of an ordered domain: numbers (int, uint, double, durations and
// timestamps in nanoseconds) as long double, strings as text.
struct Const {
  bool is_text = false;
  long double number = 0;
  std::string text;
  std::string shown;  // as written, for messages
  bool operator<(const Const& o) const { return is_text ? text < o.text : number < o.number; }
  bool operator==(const Const& o) const { return is_text ? text == o.text : number == o.number; }
};

struct Atom {
  enum class Kind { kPoint, kOpen } kind = Kind::kPoint;
  Const value;           // kPoint
  std::optional<Const> low, high;  // kOpen: (low, high), missing = unbounded
  std::string Describe() const {
    if (kind == Kind::kPoint) return value.shown;
    if (low && high) return "a value between " + low->shown + " and " + high->shown;
    if (low) return "a value above " + low->shown;
    if (high) return "a value below " + high->shown;
    return "any value";
  }
};

struct Cell {
  ast::TableCell::Kind kind = ast::TableCell::Kind::kAny;
  ast::Op op = ast::Op::kEq;
  std::vector<Const> values;  // one for kEqual / kCompare, several for kIn
};

class TableChecker {
 public:
  TableChecker(Program& program, FunctionInfo& f) : program_(program), f_(f), t_(*f.table) {}

  void Run() {
    const std::string& hit = t_.hit.text;
    if (hit != "unique" && hit != "first" && hit != "any" && hit != "collect") {
      diags().Error("E4001", t_.hit.range, "unknown hit policy '" + hit + "' (use unique, first, any or collect)");
      ok_ = false;
    }
    collect_ = hit == "collect";
    CheckHeader();
    ExprEnv env{program_, *f_.module, nullptr, false, false, {}};
    for (size_t i = 0; i < f_.params.size(); ++i) env.locals.emplace_back(t_.params[i].name.text, f_.params[i]);
    ExprChecker checker(env);
    Type output_type = f_.result;
    if (collect_) {
      if (!f_.result.is(K::kList) && !f_.result.is(K::kError)) {
        diags().Error("E4007", t_.result.range, "a 'collect' table returns a list, e.g. -> list<" + f_.result.ToString() + ">");
        output_type = Type::Error();
      } else if (f_.result.is(K::kList)) {
        output_type = f_.result.params[0];
      }
    }
    size_t columns = f_.params.size();
    for (size_t r = 0; r < t_.rows.size(); ++r) {
      const ast::TableRow& row = t_.rows[r];
      if (row.inputs.size() != columns) {
        diags().Error("E4004", row.range, "row has " + std::to_string(row.inputs.size()) + " input cell(s); the table has " +
                                              std::to_string(columns) + " input column(s)");
        ok_ = false;
        continue;
      }
      std::vector<Cell> cells;
      for (size_t c = 0; c < columns; ++c) cells.push_back(ReadCell(checker, row.inputs[c], f_.params[c]));
      rows_.push_back(std::move(cells));
      if (row.output) checker.Expect(*row.output, output_type, "the output of this row");
    }
    if (t_.rows.empty()) {
      diags().Error("E4008", t_.name.range, "table '" + f_.name + "' has no rows");
      return;
    }
    if (ok_) Analyse();
  }

 private:
  Diagnostics& diags() { return program_.diags; }

  void CheckHeader() {
    if (t_.columns.size() != f_.params.size()) {
      diags().Error("E4002", t_.header_range, "the header names " + std::to_string(t_.columns.size()) +
                                                  " input column(s); the table takes " + std::to_string(f_.params.size()) +
                                                  " parameter(s)");
      ok_ = false;
      return;
    }
    for (size_t i = 0; i < t_.columns.size(); ++i) {
      if (t_.columns[i].text != t_.params[i].name.text) {
        diags().Error("E4003", t_.columns[i].range, "column " + std::to_string(i + 1) + " should be '" +
                                                        t_.params[i].name.text + "', the parameter in that place");
      }
      const Type& p = f_.params[i];
      bool analysable = p.is(K::kBool) || p.is(K::kEnum) || p.is(K::kInt) || p.is(K::kUint) || p.is(K::kDouble) ||
                        p.is(K::kString) || p.is(K::kDuration) || p.is(K::kTimestamp) || p.is(K::kError);
      if (!analysable) {
        diags().Error("E4006", t_.params[i].type.range, "a decision table input must be bool, an enum, a number, "
                                                        "a string, a duration or a timestamp, not " + p.ToString());
        ok_ = false;
      }
    }
  }

  // Evaluates a constant cell value of the column's type; nullopt if not constant.
  std::optional<Const> Constant(const ast::Expr& e, const Type& type) {
    if (e.kind == ast::ExprKind::kLiteral) {
      Const c;
      c.shown = program_.TextOf(e.range);
      switch (e.literal) {
        case ast::LiteralKind::kInt: c.number = e.int_value; return c;
        case ast::LiteralKind::kUint: c.number = e.uint_value; return c;
        case ast::LiteralKind::kDouble: c.number = e.double_value; return c;
        case ast::LiteralKind::kBool: c.number = e.bool_value ? 1 : 0; return c;
        case ast::LiteralKind::kString: c.is_text = true; c.text = e.string_value; return c;
        default: return std::nullopt;
      }
    }
    if (e.kind == ast::ExprKind::kSelect && type.is(K::kEnum)) {
      for (const auto& en : program_.enums) {
        if (en->qualified != type.name) continue;
        int index = en->IndexOf(e.name);
        if (index < 0) return std::nullopt;
        return Const{false, static_cast<long double>(index), "", program_.TextOf(e.range)};
      }
    }
    if (e.kind == ast::ExprKind::kCall && !e.has_target && e.args.size() == 1 &&
        e.args[0]->kind == ast::ExprKind::kLiteral && e.args[0]->literal == ast::LiteralKind::kString) {
      Const c;
      c.shown = program_.TextOf(e.range);
      if (e.name == "duration") {
        if (auto d = ParseDuration(e.args[0]->string_value)) {
          c.number = static_cast<long double>(d->seconds) * 1e9L + d->nanos;
          return c;
        }
        diags().Error("E4009", e.args[0]->range, "'" + e.args[0]->string_value + "' is not a duration (e.g. \"4h\", \"90m\")");
        return c;
      }
      if (e.name == "timestamp") {
        if (auto t = ParseTimestamp(e.args[0]->string_value)) {
          c.number = static_cast<long double>(t->seconds) * 1e9L + t->nanos;
          return c;
        }
        diags().Error("E4009", e.args[0]->range, "'" + e.args[0]->string_value + "' is not an RFC 3339 timestamp");
        return c;
      }
    }
    return std::nullopt;
  }

  Cell ReadCell(ExprChecker& checker, const ast::TableCell& cell, const Type& type) {
    Cell out;
    out.kind = cell.kind;
    out.op = cell.op;
    if (cell.kind == ast::TableCell::Kind::kAny) return out;
    Type t = checker.Check(*cell.value);
    auto not_constant = [&]() {
      diags().Error("E4005", cell.value->range, "a table cell must be a constant: a literal, an enum value, "
                                                "duration(\"...\"), timestamp(\"...\") or a list of them");
      ok_ = false;
    };
    if (cell.kind == ast::TableCell::Kind::kIn) {
      if (!t.IsErrorOrDyn() && !(t.is(K::kList) && AreComparable(t.params[0], type))) {
        diags().Error("E4006", cell.value->range, "'in' needs a list of " + type.ToString() + ", found " + t.ToString());
        ok_ = false;
        return out;
      }
      if (cell.value->kind != ast::ExprKind::kList) { not_constant(); return out; }
      for (const auto& item : cell.value->args) {
        auto c = Constant(*item, type);
        if (!c) { not_constant(); return out; }
        out.values.push_back(*c);
      }
      return out;
    }
    if (!AreComparable(type, t)) {
      diags().Error("E4006", cell.value->range, "this column holds " + type.ToString() + ", but the cell is " + t.ToString());
      ok_ = false;
      return out;
    }
    if (cell.kind == ast::TableCell::Kind::kCompare && cell.op != ast::Op::kEq && cell.op != ast::Op::kNe &&
        !type.IsOrdered()) {
      diags().Error("E4006", cell.range, "values of type " + type.ToString() + " have no order");
      ok_ = false;
      return out;
    }
    auto c = Constant(*cell.value, type);
    if (!c) { not_constant(); return out; }
    out.values.push_back(*c);
    return out;
  }

  std::vector<Atom> AtomsOf(size_t column) {
    const Type& type = f_.params[column];
    std::vector<Atom> atoms;
    if (type.is(K::kBool)) {
      for (int v = 0; v < 2; ++v) atoms.push_back(Atom{Atom::Kind::kPoint, Const{false, static_cast<long double>(v), "", v ? "true" : "false"}, {}, {}});
      return atoms;
    }
    if (type.is(K::kEnum)) {
      for (const auto& en : program_.enums) {
        if (en->qualified != type.name) continue;
        for (size_t i = 0; i < en->values.size(); ++i)
          atoms.push_back(Atom{Atom::Kind::kPoint, Const{false, static_cast<long double>(i), "", en->decl->name.text + "." + en->values[i]}, {}, {}});
      }
      return atoms;
    }
    std::vector<Const> consts;
    for (const auto& row : rows_)
      for (const auto& v : row[column].values) consts.push_back(v);
    std::sort(consts.begin(), consts.end());
    consts.erase(std::unique(consts.begin(), consts.end()), consts.end());
    bool discrete = type.is(K::kInt) || type.is(K::kUint);
    auto open = [&](std::optional<Const> lo, std::optional<Const> hi) {
      if (discrete) {
        if (lo && hi && hi->number - lo->number <= 1) return;
        if (type.is(K::kUint) && !lo && hi && hi->number <= 0) return;
        if (!lo && hi && hi->number <= static_cast<long double>(INT64_MIN)) return;
        if (lo && !hi && lo->number >= (type.is(K::kUint) ? static_cast<long double>(UINT64_MAX) : static_cast<long double>(INT64_MAX))) return;
      }
      atoms.push_back(Atom{Atom::Kind::kOpen, {}, lo, hi});
    };
    if (consts.empty()) {
      open(std::nullopt, std::nullopt);
      return atoms;
    }
    open(std::nullopt, consts.front());
    for (size_t i = 0; i < consts.size(); ++i) {
      atoms.push_back(Atom{Atom::Kind::kPoint, consts[i], {}, {}});
      open(consts[i], i + 1 < consts.size() ? std::optional<Const>(consts[i + 1]) : std::nullopt);
    }
    return atoms;
  }

  static bool Contains(const Cell& cell, const Atom& atom) {
    using CK = ast::TableCell::Kind;
    if (cell.kind == CK::kAny) return true;
    if (cell.values.empty()) return false;
    if (cell.kind == CK::kIn) {
      if (atom.kind != Atom::Kind::kPoint) return false;
      return std::any_of(cell.values.begin(), cell.values.end(), [&](const Const& v) { return v == atom.value; });
    }
    const Const& c = cell.values[0];
    ast::Op op = cell.kind == CK::kEqual ? ast::Op::kEq : cell.op;
    if (atom.kind == Atom::Kind::kPoint) {
      const Const& v = atom.value;
      switch (op) {
        case ast::Op::kEq: return v == c;
        case ast::Op::kNe: return !(v == c);
        case ast::Op::kLt: return v < c;
        case ast::Op::kLe: return v < c || v == c;
        case ast::Op::kGt: return c < v;
        case ast::Op::kGe: return c < v || v == c;
        default: return false;
      }
    }
    // An open interval lies wholly on one side of every constant.
    switch (op) {
      case ast::Op::kEq: return false;
      case ast::Op::kNe: return true;
      case ast::Op::kLt: case ast::Op::kLe: return atom.high && (atom.high->operator<(c) || *atom.high == c);
      case ast::Op::kGt: case ast::Op::kGe: return atom.low && (c < *atom.low || *atom.low == c);
      default: return false;
    }
  }

  std::string Describe(const std::vector<std::vector<Atom>>& atoms, const std::vector<size_t>& combo) {
    std::string out;
    for (size_t c = 0; c < combo.size(); ++c)
      out += (c ? ", " : "") + t_.params[c].name.text + " = " + atoms[c][combo[c]].Describe();
    return out;
  }

  void Analyse() {
    size_t columns = f_.params.size();
    std::vector<std::vector<Atom>> atoms(columns);
    long double total = 1;
    for (size_t c = 0; c < columns; ++c) {
      atoms[c] = AtomsOf(c);
      total *= atoms[c].size();
    }
    constexpr long double kBudget = 4e6;  // combinations x rows
    if (total * rows_.size() > kBudget) {
      diags().Warning("W4001", t_.name.range, "table '" + f_.name + "' is too large to check for gaps and overlaps");
      return;
    }
    // member[r][c][a]: does row r's cell in column c contain atom a?
    std::vector<std::vector<std::vector<char>>> member(rows_.size(), std::vector<std::vector<char>>(columns));
    for (size_t r = 0; r < rows_.size(); ++r)
      for (size_t c = 0; c < columns; ++c)
        for (const auto& a : atoms[c]) member[r][c].push_back(Contains(rows_[r][c], a));

    const std::string& hit = t_.hit.text;
    std::vector<bool> ever_first(rows_.size(), false);
    std::set<std::pair<size_t, size_t>> overlaps;
    std::vector<std::string> gaps;
    std::vector<size_t> combo(columns, 0);
    size_t reported_overlaps = 0;
    for (bool done = total == 0; !done;) {
      std::vector<size_t> matching;
      for (size_t r = 0; r < rows_.size(); ++r) {
        bool match = true;
        for (size_t c = 0; c < columns && match; ++c) match = member[r][c][combo[c]];
        if (match) matching.push_back(r);
      }
      if (matching.empty()) {
        if (!collect_ && gaps.size() < 3) gaps.push_back(Describe(atoms, combo));
      } else {
        ever_first[matching[0]] = true;
        for (size_t i = 1; i < matching.size() && (hit == "unique" || hit == "any"); ++i) {
          auto pair = std::make_pair(matching[0], matching[i]);
          if (overlaps.count(pair) || reported_overlaps >= 5) continue;
          if (hit == "any" && SameOutput(matching[0], matching[i])) continue;
          overlaps.insert(pair);
          ++reported_overlaps;
          const ast::TableRow& later = t_.rows[matching[i]];
          if (hit == "unique")
            diags().Error("E4011", later.range, "rows " + std::to_string(matching[0] + 1) + " and " +
                                                    std::to_string(matching[i] + 1) + " overlap under 'hit unique': both match " +
                                                    Describe(atoms, combo));
          else
            diags().Error("E4013", later.range, "rows " + std::to_string(matching[0] + 1) + " and " +
                                                    std::to_string(matching[i] + 1) + " both match " + Describe(atoms, combo) +
                                                    " but give different outputs ('hit any' needs them equal)");
        }
      }
      // Next combination (mixed radix).
      size_t c = 0;
      for (; c < columns; ++c) {
        if (++combo[c] < atoms[c].size()) break;
        combo[c] = 0;
      }
      done = c == columns;
    }
    if (!gaps.empty()) {
      std::string examples;
      for (const auto& g : gaps) examples += (examples.empty() ? "" : "; ") + g;
      diags().Error("E4010", t_.name.range, "table '" + f_.name + "' has no row for some inputs, e.g. " + examples +
                                                " (add rows for them, or a last row of '-' cells)");
    }
    if (hit == "first") {
      for (size_t r = 0; r < rows_.size(); ++r)
        if (!ever_first[r])
          diags().Warning("W4012", t_.rows[r].range, "row " + std::to_string(r + 1) +
                                                         " never matches: the rows above it cover all its inputs");
    }
  }

  bool SameOutput(size_t a, size_t b) {
    const ast::Expr* x = t_.rows[a].output.get();
    const ast::Expr* y = t_.rows[b].output.get();
    if (!x || !y) return true;
    return program_.TextOf(x->range) == program_.TextOf(y->range);
  }

  Program& program_;
  FunctionInfo& f_;
  const ast::TableDecl& t_;
  bool ok_ = true;
  bool collect_ = false;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace

void CheckTables(Program& program) {
  for (auto& f : program.functions)
    if (f->table) TableChecker(program, *f).Run();
}

}  // namespace smdl::sema
