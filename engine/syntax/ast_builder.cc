#include "syntax/ast_builder.h"

#include <cerrno>
#include <cstdlib>

#include "SMDLLexer.h"
#include "base/utf8.h"
#include "syntax/literals.h"

namespace smdl {
namespace {

// The parse tree's labelled alternatives are distinct final classes whose type
// information lives in the generated parser alone, so identity of type_info is
// an exact and cheap test (dynamic_cast was a fifth of the parse time).
template <typename T>
T* As(antlr4::tree::ParseTree* node) {
  return node != nullptr && &typeid(*node) == &typeid(T) ? static_cast<T*>(node) : nullptr;
}

}  // namespace

using smdl_grammar::SMDLLexer;
using smdl_grammar::SMDLParser;
using ast::ExprKind;
using ast::ExprPtr;
using ast::Op;

SourceRange TokenRange(uint32_t file, antlr4::Token* token) {
  if (token == nullptr) return SourceRange{file, 1, 1, 1, 1};
  uint32_t line = static_cast<uint32_t>(token->getLine());
  uint32_t col = static_cast<uint32_t>(token->getCharPositionInLine()) + 1;
  if (token->getType() == antlr4::Token::EOF) return SourceRange{file, line, col, line, col};
  // Only strings can span lines; every other token's length in code points
  // is its index range (the input stream is indexed by code point).
  if (token->getType() != SMDLLexer::STRING && token->getType() != SMDLLexer::BYTES) {
    uint32_t length = static_cast<uint32_t>(token->getStopIndex() - token->getStartIndex() + 1);
    return SourceRange{file, line, col, line, col + length};
  }
  std::string text = token->getText();
  uint32_t end_line = line, end_col = col;
  size_t nl = text.rfind('\n');
  if (nl == std::string::npos) {
    end_col = col + static_cast<uint32_t>(CodePointCount(text));
  } else {
    end_line = line + static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n'));
    end_col = 1 + static_cast<uint32_t>(CodePointCount(std::string_view(text).substr(nl + 1)));
  }
  return SourceRange{file, line, col, end_line, end_col};
}

SourceRange AstBuilder::Range(antlr4::ParserRuleContext* ctx) const {
  SourceRange begin = TokenRange(file_, ctx->getStart());
  antlr4::Token* stop = ctx->getStop();
  if (stop == nullptr || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) return begin;
  SourceRange end = TokenRange(file_, stop);
  begin.end_line = end.end_line;
  begin.end_column = end.end_column;
  return begin;
}

ast::Ident AstBuilder::Ident(P::IdentContext* ctx) const {
  antlr4::Token* token = ctx->getStart();
  return ast::Ident{token->getText(), TokenRange(file_, token)};
}

ast::QualifiedName AstBuilder::Qualified(P::QualifiedNameContext* ctx) const {
  ast::QualifiedName q;
  for (auto* id : ctx->ident()) q.parts.push_back(Ident(id));
  q.range = Range(ctx);
  return q;
}

std::string AstBuilder::StringLiteral(antlr4::tree::TerminalNode* node) {
  std::string error;
  auto value = DecodeQuotedLiteral(node->getText(), false, error);
  if (!value) {
    diags_.Error("E1010", Range(node), error);
    return "";
  }
  return *value;
}

// ------------------------------------------------------------ declarations

void AstBuilder::BuildFile(P::FileContext* ctx, ast::Module& out) {
  if (auto* m = ctx->moduleDecl()) {
    auto name = Qualified(m->qualifiedName());
    out.name = name.ToString();
    out.name_range = name.range;
    out.has_module_decl = true;
  }
  for (auto* imp : ctx->importDecl()) {
    out.imports.push_back(ast::Import{Qualified(imp->qualifiedName()), Range(imp)});
  }
  for (auto* decl : ctx->declaration()) Declaration(decl, out);
}

void AstBuilder::Declaration(P::DeclarationContext* ctx, ast::Module& out) {
  if (auto* d = ctx->enumDecl()) out.enums.push_back(Enum(d));
  else if (auto* d = ctx->recordDecl()) out.records.push_back(Record(d));
  else if (auto* d = ctx->policyDecl()) out.policies.push_back(Policy(d));
  else if (auto* d = ctx->tableDecl()) out.tables.push_back(Table(d));
  else if (auto* d = ctx->settingDecl()) out.settings.push_back(Setting(d));
  else if (auto* d = ctx->calendarDecl()) out.calendars.push_back(Calendar(d));
  else if (auto* d = ctx->holidaysDecl()) out.holiday_sets.push_back(HolidaySet(d));
  else if (auto* d = ctx->processDecl()) out.processes.push_back(Process(d));
  else if (auto* d = ctx->testDecl()) out.tests.push_back(Test(d));
  else if (auto* d = ctx->roleDecl()) {
    ast::RoleDecl role;
    role.range = Range(d);
    for (auto* name : d->ident()) role.names.push_back(Ident(name));
    out.roles.push_back(std::move(role));
  }
}

ast::TypeRef AstBuilder::Type(P::TypeRefContext* ctx) {
  ast::TypeRef t;
  t.range = Range(ctx);
  t.optional = ctx->optional != nullptr;
  auto* base = ctx->baseType();
  if (auto* r = As<P::RefTypeContext>(base)) {
    t.kind = ast::TypeRef::Kind::kRef;
    t.name = Qualified(r->qualifiedName());
  } else if (auto* l = As<P::ListTypeContext>(base)) {
    t.kind = ast::TypeRef::Kind::kList;
    t.args.push_back(Type(l->typeRef()));
  } else if (auto* m = As<P::MapTypeContext>(base)) {
    t.kind = ast::TypeRef::Kind::kMap;
    t.args.push_back(Type(m->typeRef(0)));
    t.args.push_back(Type(m->typeRef(1)));
  } else if (auto* n = As<P::NamedTypeContext>(base)) {
    t.kind = ast::TypeRef::Kind::kNamed;
    t.name = Qualified(n->qualifiedName());
  }
  return t;
}

std::vector<ast::Param> AstBuilder::Params(P::ParamsContext* ctx) {
  std::vector<ast::Param> out;
  if (ctx == nullptr) return out;
  for (auto* p : ctx->param()) out.push_back(ast::Param{Ident(p->ident()), Type(p->typeRef())});
  return out;
}

ast::EnumDecl AstBuilder::Enum(P::EnumDeclContext* ctx) {
  ast::EnumDecl e;
  auto ids = ctx->ident();
  e.name = Ident(ids[0]);
  for (size_t i = 1; i < ids.size(); ++i) e.values.push_back(Ident(ids[i]));
  e.range = Range(ctx);
  return e;
}

ast::RecordDecl AstBuilder::Record(P::RecordDeclContext* ctx) {
  ast::RecordDecl r;
  r.name = Ident(ctx->ident());
  r.range = Range(ctx);
  for (auto* f : ctx->fieldDecl()) {
    ast::FieldDecl field;
    field.name = Ident(f->ident());
    field.type = Type(f->typeRef());
    if (f->expr()) field.default_value = Expr(f->expr(), 0);
    field.range = Range(f);
    r.fields.push_back(std::move(field));
  }
  for (auto* i : ctx->indexDecl()) {
    ast::IndexDecl index;
    index.range = Range(i);
    for (auto* f : i->ident()) index.fields.push_back(Ident(f));
    r.indexes.push_back(std::move(index));
  }
  return r;
}

ast::PolicyDecl AstBuilder::Policy(P::PolicyDeclContext* ctx) {
  ast::PolicyDecl p;
  p.is_override = ctx->OVERRIDE() != nullptr;
  p.name = Ident(ctx->ident());
  p.params = Params(ctx->params());
  p.result = Type(ctx->typeRef());
  p.body = Expr(ctx->expr(), 0);
  p.range = Range(ctx);
  return p;
}

ast::SettingDecl AstBuilder::Setting(P::SettingDeclContext* ctx) {
  ast::SettingDecl s;
  s.is_override = ctx->OVERRIDE() != nullptr;
  s.name = Ident(ctx->ident());
  s.type = Type(ctx->typeRef());
  s.value = Expr(ctx->expr(), 0);
  s.range = Range(ctx);
  return s;
}

ast::TableDecl AstBuilder::Table(P::TableDeclContext* ctx) {
  ast::TableDecl t;
  t.is_override = ctx->OVERRIDE() != nullptr;
  t.name = Ident(ctx->ident(0));
  t.hit = Ident(ctx->hitPolicy);
  t.params = Params(ctx->params());
  t.result = Type(ctx->typeRef());
  t.range = Range(ctx);
  auto* header = ctx->tableHeader();
  t.header_range = Range(header);
  // The header is `| in1 | in2 | => out? |`: idents before `=>` are inputs.
  size_t arrow = header->FATARROW()->getSymbol()->getTokenIndex();
  for (auto* id : header->ident()) {
    if (id->getStart()->getTokenIndex() < arrow) t.columns.push_back(Ident(id));
    else t.output_name = Ident(id);
  }
  for (auto* row : ctx->tableRow()) {
    ast::TableRow r;
    r.range = Range(row);
    auto cells = row->tableCell();
    for (size_t i = 0; i < cells.size(); ++i) {
      auto* c = cells[i];
      ast::TableCell cell;
      cell.range = Range(c);
      if (As<P::AnyCellContext>(c)) {
        cell.kind = ast::TableCell::Kind::kAny;
      } else if (auto* cmp = As<P::CompareCellContext>(c)) {
        cell.kind = ast::TableCell::Kind::kCompare;
        static const std::map<std::string, Op> ops = {{"<", Op::kLt}, {"<=", Op::kLe}, {">", Op::kGt},
                                                       {">=", Op::kGe}, {"!=", Op::kNe}, {"==", Op::kEq}};
        cell.op = ops.at(cmp->op->getText());
        cell.value = Expr(cmp->expr(), 0);
      } else if (auto* in = As<P::InCellContext>(c)) {
        cell.kind = ast::TableCell::Kind::kIn;
        cell.value = Expr(in->expr(), 0);
      } else if (auto* eq = As<P::EqualCellContext>(c)) {
        cell.kind = ast::TableCell::Kind::kEqual;
        cell.value = Expr(eq->expr(), 0);
      }
      if (i + 1 == cells.size()) {
        // The last cell is the row's output and must be a plain expression.
        if (cell.kind != ast::TableCell::Kind::kEqual) {
          diags_.Error("E1011", cell.range, "the last cell of a row is its output and must be an expression");
        }
        r.output = std::move(cell.value);
      } else {
        r.inputs.push_back(std::move(cell));
      }
    }
    t.rows.push_back(std::move(r));
  }
  return t;
}

ast::ClockTime AstBuilder::Clock(P::ClockTimeContext* ctx) {
  ast::ClockTime t;
  t.range = Range(ctx);
  auto h = ParseIntMagnitude(ctx->INT(0)->getText());
  auto m = ParseIntMagnitude(ctx->INT(1)->getText());
  bool two_digits = ctx->INT(0)->getText().size() == 2 && ctx->INT(1)->getText().size() == 2;
  if (!h || !m || !two_digits || *h > 24 || *m > 59 || (*h == 24 && *m != 0)) {
    diags_.Error("E5001", t.range, "'" + ctx->getText() + "' is not a time of day (HH:MM, 00:00 to 24:00)");
  } else {
    t.hour = static_cast<int>(*h);
    t.minute = static_cast<int>(*m);
  }
  return t;
}

ast::CalendarDecl AstBuilder::Calendar(P::CalendarDeclContext* ctx) {
  ast::CalendarDecl c;
  c.is_override = ctx->OVERRIDE() != nullptr;
  c.name = Ident(ctx->ident());
  c.range = Range(ctx);
  for (auto* item : ctx->calendarItem()) {
    if (auto* tz = As<P::TimezoneItemContext>(item)) {
      if (c.timezone) diags_.Error("E5002", Range(tz), "calendar '" + c.name.text + "' has more than one timezone");
      c.timezone = StringLiteral(tz->STRING());
      c.timezone_range = Range(tz->STRING());
    } else if (auto* hours = As<P::HoursItemContext>(item)) {
      ast::CalendarHours h;
      h.range = Range(hours);
      for (auto* d : hours->dayRange()) {
        auto ids = d->ident();
        std::optional<ast::Ident> to;
        if (ids.size() > 1) to = Ident(ids[1]);
        h.days.emplace_back(Ident(ids[0]), to);
      }
      for (auto* r : hours->timeRange()) h.intervals.emplace_back(Clock(r->clockTime(0)), Clock(r->clockTime(1)));
      c.hours.push_back(std::move(h));
    } else if (auto* always = As<P::AlwaysItemContext>(item)) {
      c.always = true;
      c.always_range = Range(always);
    } else if (auto* sets = As<P::HolidaysItemContext>(item)) {
      for (auto* name : sets->ident()) c.holiday_sets.push_back(Ident(name));
    } else if (auto* work = As<P::WorkingItemContext>(item)) {
      for (auto* s : work->STRING()) c.working_days.push_back(ast::CalendarDate{StringLiteral(s), false, Range(s)});
    } else {
      HolidayLine(item, "calendar '" + c.name.text + "'", c.holidays, c.movable_holidays, c.substitute);
    }
  }
  return c;
}

bool AstBuilder::HolidayLine(P::CalendarItemContext* item, const std::string& owner,
                             std::vector<ast::CalendarDate>& dates, std::vector<ast::MovableHoliday>& movable,
                             std::optional<ast::SubstituteLine>& substitute) {
  if (auto* hol = As<P::HolidayItemContext>(item)) {
    bool every = hol->EVERY() != nullptr;
    for (auto* s : hol->STRING()) dates.push_back(ast::CalendarDate{StringLiteral(s), every, Range(s)});
  } else if (auto* easter = As<P::EasterItemContext>(item)) {
    ast::MovableHoliday h;
    h.range = Range(easter);
    h.anchor = Ident(easter->ident());
    if (auto* n = easter->INT()) {
      h.offset_range = Range(n);
      auto mag = ParseIntMagnitude(n->getText());
      h.offset_valid = mag && *mag <= 1000000;
      if (h.offset_valid) h.offset = static_cast<int64_t>(*mag) * (easter->sign->getText() == "-" ? -1 : 1);
    }
    movable.push_back(std::move(h));
  } else if (auto* wd = As<P::WeekdayItemContext>(item)) {
    ast::MovableHoliday h;
    h.kind = ast::MovableHoliday::Kind::kWeekday;
    h.range = Range(wd);
    h.ordinal = Ident(wd->ident(0));
    h.weekday = Ident(wd->ident(1));
    h.of = Ident(wd->ident(2));
    h.month = Ident(wd->ident(3));
    movable.push_back(std::move(h));
  } else if (auto* sub = As<P::SubstituteItemContext>(item)) {
    if (substitute) diags_.Error("E5036", Range(sub), owner + " has more than one substitute line");
    substitute = ast::SubstituteLine{Ident(sub->ident(0)), Ident(sub->ident(1)), Range(sub)};
  } else {
    return false;
  }
  return true;
}

ast::HolidaySetDecl AstBuilder::HolidaySet(P::HolidaysDeclContext* ctx) {
  ast::HolidaySetDecl h;
  h.name = Ident(ctx->ident());
  h.range = Range(ctx);
  for (auto* item : ctx->calendarItem()) {
    if (!HolidayLine(item, "holiday set '" + h.name.text + "'", h.holidays, h.movable_holidays, h.substitute))
      diags_.Error("E5038", Range(item), "a holiday set holds only holiday and substitute lines");
  }
  return h;
}

std::vector<ast::FieldInit> AstBuilder::Payload(P::PayloadContext* ctx) {
  std::vector<ast::FieldInit> out;
  if (ctx == nullptr) return out;
  for (auto* f : ctx->fieldInit()) out.push_back(ast::FieldInit{Ident(f->ident()), Expr(f->expr(), 0)});
  return out;
}

std::vector<ast::Action> AstBuilder::Actions(P::ActionBlockContext* ctx) {
  std::vector<ast::Action> out;
  if (ctx == nullptr) return out;
  for (auto* a : ctx->action()) {
    ast::Action action;
    action.range = Range(a);
    if (auto* assign = As<P::AssignActionContext>(a)) {
      action.kind = ast::Action::Kind::kAssign;
      action.field = Ident(assign->ident());
      action.via_this = assign->THIS() != nullptr;
      action.value = Expr(assign->expr(), 0);
    } else if (auto* emit = As<P::EmitActionContext>(a)) {
      action.kind = ast::Action::Kind::kEmit;
      action.message = StringLiteral(emit->STRING());
      action.message_range = Range(emit->STRING());
      action.payload = Payload(emit->payload());
    } else if (auto* cond = As<P::ConditionalActionContext>(a)) {
      action = If(cond->ifAction());
    } else if (auto* fire = As<P::FireActionContext>(a)) {
      // fire a.b.event(args): the path before the last name is the target.
      action.kind = ast::Action::Kind::kFire;
      auto names = fire->ident();
      action.event = Ident(names.back());
      ExprPtr target;
      for (size_t i = 0; i + 1 < names.size(); ++i) {
        auto e = std::make_unique<ast::Expr>();
        ast::Ident part = Ident(names[i]);
        e->kind = target ? ast::ExprKind::kSelect : ast::ExprKind::kIdent;
        e->name = part.text;
        e->name_range = part.range;
        e->range = part.range;
        if (target) {
          e->range.line = target->range.line;
          e->range.column = target->range.column;
          e->args.push_back(std::move(target));
        }
        target = std::move(e);
      }
      action.value = std::move(target);
      for (auto* f : fire->fieldInit()) action.payload.push_back(ast::FieldInit{Ident(f->ident()), Expr(f->expr(), 0)});
    } else if (auto* create = As<P::CreateActionContext>(a)) {
      action.kind = ast::Action::Kind::kCreate;
      if (create->ident()) action.field = Ident(create->ident());
      action.record_type = Qualified(create->qualifiedName());
      action.payload = Payload(create->payload());
    } else if (auto* loop = As<P::ForActionContext>(a)) {
      action.kind = ast::Action::Kind::kFor;
      action.field = Ident(loop->ident());
      action.value = Expr(loop->expr(), 0);
      action.body = Actions(loop->actionBlock());
    }
    out.push_back(std::move(action));
  }
  return out;
}

ast::Action AstBuilder::If(P::IfActionContext* ctx) {
  ast::Action action;
  action.kind = ast::Action::Kind::kIf;
  action.range = Range(ctx);
  action.value = Expr(ctx->expr(), 0);
  auto blocks = ctx->actionBlock();
  action.body = Actions(blocks[0]);
  if (blocks.size() > 1) action.else_body = Actions(blocks[1]);
  if (ctx->ifAction()) action.else_body.push_back(If(ctx->ifAction()));
  return action;
}

ast::ProcessDecl AstBuilder::Process(P::ProcessDeclContext* ctx) {
  ast::ProcessDecl p;
  p.name = Ident(ctx->ident());
  p.record = Qualified(ctx->qualifiedName());
  p.range = Range(ctx);
  for (auto* item : ctx->processItem()) {
    if (auto* oc = item->onCreate()) {
      if (p.has_on_create) {
        diags_.Error("E3010", Range(oc), "process '" + p.name.text + "' has more than one 'on create' block");
      }
      p.has_on_create = true;
      p.on_create_range = Range(oc);
      for (auto& a : Actions(oc->actionBlock())) p.on_create.push_back(std::move(a));
    } else if (auto* sla = item->slaDecl()) {
      p.slas.push_back(Sla(sla));
    } else if (auto* st = item->stateDecl()) {
      State(st, -1, p.states);
    }
  }
  return p;
}

ast::SlaAction AstBuilder::SlaAct(P::SlaActionContext* ctx) {
  ast::SlaAction a;
  a.range = Range(ctx);
  if (auto* emit = As<P::SlaEmitContext>(ctx)) {
    a.kind = ast::SlaAction::Kind::kEmit;
    a.message = StringLiteral(emit->STRING());
    a.payload = Payload(emit->payload());
  } else if (auto* move = As<P::SlaMoveContext>(ctx)) {
    a.kind = ast::SlaAction::Kind::kMove;
    a.target = Ident(move->ident());
  } else if (auto* fire = As<P::SlaFireContext>(ctx)) {
    a.kind = ast::SlaAction::Kind::kFire;
    a.target = Ident(fire->ident());
  }
  return a;
}

ast::SlaDecl AstBuilder::Sla(P::SlaDeclContext* ctx) {
  ast::SlaDecl s;
  s.name = Ident(ctx->ident());
  s.range = Range(ctx);
  for (auto* item : ctx->slaItem()) {
    if (auto* t = As<P::SlaTargetContext>(item)) {
      if (s.target) diags_.Error("E3020", Range(t), "sla '" + s.name.text + "' has more than one target");
      s.target = Expr(t->expr(), 0);
      s.target_range = Range(t);
    } else if (auto* c = As<P::SlaCalendarContext>(item)) {
      if (s.calendar || s.calendar_expr) diags_.Error("E3021", Range(c), "sla '" + s.name.text + "' has more than one calendar");
      s.calendar_expr = Expr(c->expr(), 0);
      if (s.calendar_expr->kind == ast::ExprKind::kIdent && !s.calendar_expr->leading_dot)
        s.calendar = ast::Ident{s.calendar_expr->name, s.calendar_expr->range};
    } else if (auto* cond = As<P::SlaConditionContext>(item)) {
      ast::SlaCondition sc;
      sc.range = Range(cond);
      switch (cond->kind->getType()) {
        case SMDLLexer::START: sc.kind = ast::SlaCondition::Kind::kStart; break;
        case SMDLLexer::STOP: sc.kind = ast::SlaCondition::Kind::kStop; break;
        case SMDLLexer::PAUSE: sc.kind = ast::SlaCondition::Kind::kPause; break;
        case SMDLLexer::RESUME: sc.kind = ast::SlaCondition::Kind::kResume; break;
        default: sc.kind = ast::SlaCondition::Kind::kReset; break;
      }
      auto* trig = cond->slaTrigger();
      sc.trigger.range = Range(trig);
      std::vector<P::IdentContext*> names;
      if (As<P::TriggerCreateContext>(trig)) {
        sc.trigger.kind = ast::SlaTrigger::Kind::kCreate;
      } else if (auto* e = As<P::TriggerEnterContext>(trig)) {
        sc.trigger.kind = ast::SlaTrigger::Kind::kEnter;
        names = e->ident();
      } else if (auto* l = As<P::TriggerLeaveContext>(trig)) {
        sc.trigger.kind = ast::SlaTrigger::Kind::kLeave;
        names = l->ident();
      } else if (auto* ev = As<P::TriggerEventContext>(trig)) {
        sc.trigger.kind = ast::SlaTrigger::Kind::kEvent;
        names = ev->ident();
      } else if (auto* w = As<P::TriggerWhileInContext>(trig)) {
        sc.trigger.kind = ast::SlaTrigger::Kind::kWhileIn;
        names = w->ident();
      }
      for (auto* n : names) sc.trigger.names.push_back(Ident(n));
      s.conditions.push_back(std::move(sc));
    } else if (auto* r = As<P::SlaRetargetContext>(item)) {
      s.retarget = Ident(r->ident());
    } else if (auto* w = As<P::SlaWarnContext>(item)) {
      ast::SlaWarning warn;
      warn.range = Range(w);
      warn.percent_range = Range(w->pct);
      // Whole or with up to two decimals: 50%, 84.4%, 99.95%.
      std::string text = w->pct->getText();
      std::optional<long long> hundredths;
      size_t dot = text.find('.');
      std::string whole = text.substr(0, dot), fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
      bool digits = !whole.empty() && whole.size() <= 3 && fraction.size() <= 2 &&
                    whole.find_first_not_of("0123456789") == std::string::npos &&
                    fraction.find_first_not_of("0123456789") == std::string::npos;
      if (digits) hundredths = std::stoll(whole) * 100 + (fraction.empty() ? 0 : std::stoll(fraction) * (fraction.size() == 1 ? 10 : 1));
      if (!hundredths || *hundredths == 0 || *hundredths >= 10000) {
        diags_.Error("E3022", warn.percent_range,
                     "a warning threshold must be between 0.01% and 99.99%, with at most two decimals");
      } else {
        warn.percent = static_cast<int>(*hundredths);
      }
      for (auto* a : w->slaAction()) warn.actions.push_back(SlaAct(a));
      s.warnings.push_back(std::move(warn));
    } else if (auto* b = As<P::SlaBreachContext>(item)) {
      if (!s.breach.empty()) diags_.Error("E3023", Range(b), "sla '" + s.name.text + "' has more than one breach clause");
      s.breach_range = Range(b);
      for (auto* a : b->slaAction()) s.breach.push_back(SlaAct(a));
    }
  }
  return s;
}

void AstBuilder::State(P::StateDeclContext* ctx, int parent, std::vector<ast::StateDecl>& states) {
  int index = static_cast<int>(states.size());
  {
    ast::StateDecl s;
    s.name = Ident(ctx->ident());
    s.range = Range(ctx);
    s.parent = parent;
    if (ctx->modifier) {
      s.is_initial = ctx->modifier->getType() == SMDLLexer::INITIAL;
      s.is_final = ctx->modifier->getType() == SMDLLexer::FINAL;
    }
    s.is_parallel = ctx->parallel != nullptr;
    states.push_back(std::move(s));
  }
  if (parent >= 0) states[static_cast<size_t>(parent)].children.push_back(index);
  // `entry { }` or `exit { }`: at most one of each per state.
  auto block = [&](antlr4::ParserRuleContext* at, P::ActionBlockContext* body, const char* word,
                   std::optional<SourceRange>& seen, std::vector<ast::Action>& out) {
    const ast::StateDecl& s = states[static_cast<size_t>(index)];
    if (seen) {
      diags_.Error("E3050", Range(at), "state '" + s.name.text + "' has more than one '" + word + "' block");
      diags_.Note(*seen, "the first is here");
    }
    seen = Range(at);
    for (auto& a : Actions(body)) out.push_back(std::move(a));
  };
  for (auto* item : ctx->stateItem()) {
    if (auto* t = As<P::StateTransitionContext>(item)) {
      auto transition = Transition(t->transition());
      states[static_cast<size_t>(index)].transitions.push_back(std::move(transition));
    } else if (auto* child = As<P::ChildStateContext>(item)) {
      State(child->stateDecl(), index, states);
    } else if (auto* enter = As<P::EnterActionsContext>(item)) {
      auto& s = states[static_cast<size_t>(index)];
      block(enter, enter->actionBlock(), "entry", s.enter_range, s.on_enter);
    } else if (auto* exit = As<P::ExitActionsContext>(item)) {
      auto& s = states[static_cast<size_t>(index)];
      block(exit, exit->actionBlock(), "exit", s.exit_range, s.on_exit);
    }
  }
}

ast::Transition AstBuilder::Transition(P::TransitionContext* ctx) {
  ast::Transition t;
  t.range = Range(ctx);
  P::TransitionBodyContext* body = nullptr;
  if (auto* e = As<P::EventTransitionContext>(ctx)) {
    t.kind = ast::Transition::Kind::kEvent;
    t.event = Ident(e->ident(0));
    t.params = Params(e->params());
    if (auto* req = e->requiresClause())
      for (auto* group : req->roleGroup()) {
        std::vector<ast::Ident> roles;
        for (auto* name : group->ident()) roles.push_back(Ident(name));
        t.requires_roles.push_back(std::move(roles));
      }
    if (e->guard()) t.guard = Expr(e->guard()->expr(), 0);
    if (e->target) t.target = Ident(e->target);
    body = e->transitionBody();
  } else if (auto* tm = As<P::TimerTransitionContext>(ctx)) {
    t.kind = ast::Transition::Kind::kTimer;
    t.delay = Expr(tm->expr(), 0);
    if (tm->target) t.target = Ident(tm->target);
    body = tm->transitionBody();
  } else if (auto* at = As<P::InstantTransitionContext>(ctx)) {
    t.kind = ast::Transition::Kind::kTimer;
    t.at_instant = true;
    t.delay = Expr(at->expr(), 0);
    if (at->target) t.target = Ident(at->target);
    body = at->transitionBody();
  } else if (auto* a = As<P::AutomaticTransitionContext>(ctx)) {
    t.kind = ast::Transition::Kind::kAutomatic;
    t.guard = Expr(a->guard()->expr(), 0);
    t.target = Ident(a->target);
    body = a->transitionBody();
  }
  if (body != nullptr) t.actions = Actions(body->actionBlock());
  return t;
}

void AstBuilder::ActorClause(P::ActorClauseContext* ctx, ast::TestStep& step) {
  if (ctx == nullptr) return;
  step.actor = Expr(ctx->expr(), 0);
  for (auto* role : ctx->ident()) step.roles.push_back(Ident(role));
}

ast::TestDecl AstBuilder::Test(P::TestDeclContext* ctx) {
  ast::TestDecl t;
  t.name = StringLiteral(ctx->STRING());
  t.name_range = Range(ctx->STRING());
  t.range = Range(ctx);
  for (auto* s : ctx->testStep()) {
    ast::TestStep step;
    step.range = Range(s);
    if (auto* c = As<P::ClockStepContext>(s)) {
      step.kind = ast::TestStep::Kind::kClock;
      step.text = StringLiteral(c->STRING());
      step.text_range = Range(c->STRING());
    } else if (auto* cr = As<P::CreateStepContext>(s)) {
      step.kind = ast::TestStep::Kind::kCreate;
      step.variable = Ident(cr->ident());
      step.record_type = Qualified(cr->qualifiedName());
      step.fields = Payload(cr->payload());
      ActorClause(cr->actorClause(), step);
      step.expect_rejected = cr->REJECTED() != nullptr;
    } else if (auto* f = As<P::FireStepContext>(s)) {
      step.kind = ast::TestStep::Kind::kFire;
      step.variable = Ident(f->ident(0));
      step.event = Ident(f->ident(1));
      for (auto* a : f->namedArg()) step.args.push_back(ast::NamedArg{Ident(a->ident()), Expr(a->expr(), 0)});
      ActorClause(f->actorClause(), step);
      step.expect_rejected = f->REJECTED() != nullptr;
    } else if (auto* at = As<P::AdvanceToStepContext>(s)) {
      step.kind = ast::TestStep::Kind::kAdvanceTo;
      step.text = StringLiteral(at->STRING());
      step.text_range = Range(at->STRING());
    } else if (auto* by = As<P::AdvanceByStepContext>(s)) {
      step.kind = ast::TestStep::Kind::kAdvanceBy;
      step.expr = Expr(by->expr(), 0);
    } else if (auto* ex = As<P::ExpectStepContext>(s)) {
      step.kind = ast::TestStep::Kind::kExpect;
      step.expr = Expr(ex->expr(), 0);
    }
    t.steps.push_back(std::move(step));
  }
  return t;
}

// ------------------------------------------------------------ expressions

ExprPtr AstBuilder::TooDeep(antlr4::ParserRuleContext* ctx) {
  if (!reported_depth_) {
    diags_.Error("E1003", Range(ctx), "expression is nested too deeply (more than " +
                                          std::to_string(limits_.max_expr_depth) + " levels)");
    reported_depth_ = true;
  }
  auto e = std::make_unique<ast::Expr>();
  e->kind = ExprKind::kLiteral;
  e->literal = ast::LiteralKind::kNull;
  e->range = Range(ctx);
  return e;
}

ExprPtr AstBuilder::Binary(Op op, ExprPtr lhs, ExprPtr rhs) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = ExprKind::kBinary;
  e->op = op;
  e->range = lhs->range;
  e->range.end_line = rhs->range.end_line;
  e->range.end_column = rhs->range.end_column;
  e->args.push_back(std::move(lhs));
  e->args.push_back(std::move(rhs));
  return e;
}

// Expression trees are as deep as the parse tree; every level counts
// against the depth limit, so recursion here is bounded.
ExprPtr AstBuilder::BuildExpr(P::ExprContext* ctx, size_t depth) {
  if (depth > limits_.max_expr_depth) return TooDeep(ctx);
  if (auto* p = As<P::PrimaryExprContext>(ctx)) return Primary(p->primary(), depth + 1);
  if (auto* s = As<P::SelectOrCallContext>(ctx)) {
    auto e = std::make_unique<ast::Expr>();
    e->range = Range(ctx);
    e->name = s->ident()->getStart()->getText();
    e->name_range = Range(s->ident());
    e->args.push_back(Expr(s->expr(), depth + 1));
    if (s->LPAREN()) {
      e->kind = ExprKind::kCall;
      e->has_target = true;
      if (auto* list = s->exprList())
        for (auto* a : list->expr()) e->args.push_back(Expr(a, depth + 1));
    } else {
      e->kind = ExprKind::kSelect;
    }
    return e;
  }
  if (auto* ix = As<P::IndexContext>(ctx)) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = ExprKind::kIndex;
    e->range = Range(ctx);
    e->args.push_back(Expr(ix->expr(0), depth + 1));
    e->args.push_back(Expr(ix->expr(1), depth + 1));
    return e;
  }
  if (auto* n = As<P::LogicalNotContext>(ctx)) return Unary(Op::kNot, n->NOT().size(), n->expr(), ctx, depth);
  if (auto* n = As<P::NegateContext>(ctx)) return Unary(Op::kNeg, n->MINUS().size(), n->expr(), ctx, depth);
  if (auto* c = As<P::ConditionalContext>(ctx)) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = ExprKind::kTernary;
    e->range = Range(ctx);
    for (size_t i = 0; i < 3; ++i) e->args.push_back(Expr(c->expr(i), depth + 1));
    return e;
  }
  static const std::map<size_t, Op> ops = {
      {SMDLLexer::LT, Op::kLt},   {SMDLLexer::LE, Op::kLe},     {SMDLLexer::GT, Op::kGt},
      {SMDLLexer::GE, Op::kGe},   {SMDLLexer::EQ, Op::kEq},     {SMDLLexer::NE, Op::kNe},
      {SMDLLexer::IN, Op::kIn},   {SMDLLexer::STAR, Op::kMul},  {SMDLLexer::SLASH, Op::kDiv},
      {SMDLLexer::PERCENT, Op::kMod}, {SMDLLexer::PLUS, Op::kAdd}, {SMDLLexer::MINUS, Op::kSub}};
  Op op;
  P::ExprContext* lhs;
  P::ExprContext* rhs;
  if (auto* m = As<P::MultiplicativeContext>(ctx)) { op = ops.at(m->op->getType()); lhs = m->expr(0); rhs = m->expr(1); }
  else if (auto* a = As<P::AdditiveContext>(ctx)) { op = ops.at(a->op->getType()); lhs = a->expr(0); rhs = a->expr(1); }
  else if (auto* r = As<P::RelationContext>(ctx)) { op = ops.at(r->op->getType()); lhs = r->expr(0); rhs = r->expr(1); }
  else if (auto* l = As<P::LogicalAndContext>(ctx)) { op = Op::kAnd; lhs = l->expr(0); rhs = l->expr(1); }
  else if (auto* o = As<P::LogicalOrContext>(ctx)) { op = Op::kOr; lhs = o->expr(0); rhs = o->expr(1); }
  else return TooDeep(ctx);  // unreachable: every alternative is handled above
  auto e = Binary(op, Expr(lhs, depth + 1), Expr(rhs, depth + 1));
  e->range = Range(ctx);  // with the parentheses of `(a || b) && c`, which the operands' ranges leave out
  return e;
}

ExprPtr AstBuilder::Unary(Op op, size_t count, P::ExprContext* operand, P::ExprContext* ctx, size_t depth) {
  if (depth + count > limits_.max_expr_depth) return TooDeep(ctx);
  ExprPtr e;
  // `-9223372036854775808` is a literal, not the negation of an out-of-range one.
  auto* prim = As<P::PrimaryExprContext>(operand);
  auto* lit = prim ? As<P::ConstantContext>(prim->primary()) : nullptr;
  if (op == Op::kNeg && lit != nullptr) {
    e = Literal(lit->literal(), true);
    --count;
  } else {
    e = Expr(operand, depth + count);
  }
  for (size_t i = 0; i < count; ++i) {
    auto u = std::make_unique<ast::Expr>();
    u->kind = ExprKind::kUnary;
    u->op = op;
    u->range = Range(ctx);
    u->args.push_back(std::move(e));
    e = std::move(u);
  }
  e->range = Range(ctx);
  return e;
}

ExprPtr AstBuilder::Primary(P::PrimaryContext* ctx, size_t depth) {
  if (depth > limits_.max_expr_depth) return TooDeep(ctx);
  if (auto* n = As<P::NestedContext>(ctx)) return Expr(n->expr(), depth + 1);
  if (auto* c = As<P::ConstantContext>(ctx)) return Literal(c->literal(), false);
  auto e = std::make_unique<ast::Expr>();
  e->range = Range(ctx);
  if (auto* id = As<P::IdentOrGlobalCallContext>(ctx)) {
    e->name = id->ident()->getStart()->getText();
    e->name_range = Range(id->ident());
    e->leading_dot = id->leadingDot != nullptr;
    if (id->LPAREN()) {
      e->kind = ExprKind::kCall;
      if (auto* list = id->exprList())
        for (auto* a : list->expr()) e->args.push_back(Expr(a, depth + 1));
    } else {
      e->kind = ExprKind::kIdent;
    }
  } else if (auto* l = As<P::CreateListContext>(ctx)) {
    e->kind = ExprKind::kList;
    if (auto* list = l->exprList())
      for (auto* a : list->expr()) e->args.push_back(Expr(a, depth + 1));
  } else if (auto* m = As<P::CreateMapContext>(ctx)) {
    e->kind = ExprKind::kMap;
    if (auto* inits = m->mapInits())
      for (auto* a : inits->expr()) e->args.push_back(Expr(a, depth + 1));
  } else if (As<P::ThisExprContext>(ctx)) {
    e->kind = ExprKind::kThis;
  }
  return e;
}

ExprPtr AstBuilder::Literal(P::LiteralContext* ctx, bool negated) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = ExprKind::kLiteral;
  e->range = Range(ctx);
  std::string text = ctx->getText();
  if (As<P::IntLitContext>(ctx)) {
    e->literal = ast::LiteralKind::kInt;
    auto mag = ParseIntMagnitude(text);
    bool leading_zero = text.size() > 1 && text[0] == '0' && text[1] != 'x' && text[1] != 'X';
    if (leading_zero) {
      diags_.Error("E1012", e->range, "integer literal '" + text + "' has a leading zero");
    } else if (!mag || *mag > (negated ? uint64_t{1} << 63 : uint64_t{INT64_MAX})) {
      diags_.Error("E1013", e->range, "integer literal '" + (negated ? "-" + text : text) + "' is out of range");
    } else {
      e->int_value = negated ? static_cast<int64_t>(0 - *mag) : static_cast<int64_t>(*mag);
    }
    return e;
  }
  if (As<P::UintLitContext>(ctx)) {
    e->literal = ast::LiteralKind::kUint;
    auto mag = ParseIntMagnitude(std::string_view(text).substr(0, text.size() - 1));
    if (!mag) diags_.Error("E1013", e->range, "unsigned literal '" + text + "' is out of range");
    else e->uint_value = *mag;
    if (negated) diags_.Error("E1014", e->range, "an unsigned literal cannot be negated");
    return e;
  }
  if (As<P::DoubleLitContext>(ctx)) {
    e->literal = ast::LiteralKind::kDouble;
    errno = 0;
    e->double_value = std::strtod(text.c_str(), nullptr);
    if (negated) e->double_value = -e->double_value;
    return e;
  }
  if (As<P::StringLitContext>(ctx) || As<P::BytesLitContext>(ctx)) {
    bool bytes = As<P::BytesLitContext>(ctx) != nullptr;
    e->literal = bytes ? ast::LiteralKind::kBytes : ast::LiteralKind::kString;
    std::string error;
    auto value = DecodeQuotedLiteral(text, bytes, error);
    if (!value) diags_.Error("E1010", e->range, error);
    else e->string_value = std::move(*value);
    if (negated) diags_.Error("E1014", e->range, "a string cannot be negated");
    return e;
  }
  if (As<P::TrueLitContext>(ctx) || As<P::FalseLitContext>(ctx)) {
    e->literal = ast::LiteralKind::kBool;
    e->bool_value = As<P::TrueLitContext>(ctx) != nullptr;
  } else {
    e->literal = ast::LiteralKind::kNull;
  }
  if (negated) diags_.Error("E1014", e->range, "'" + text + "' cannot be negated");
  return e;
}

}  // namespace smdl
