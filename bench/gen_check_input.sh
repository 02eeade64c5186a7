#!/usr/bin/env bash
# Writes a realistic SMDL module of about LINES lines (default 50000) to
# stdout: repeated units of an enum, a record, policies, a decision table, a
# setting and a process with an SLA, each with its own names.
set -euo pipefail
lines=${1:-50000}
unit_lines=56
units=$(( (lines + unit_lines - 1) / unit_lines ))
echo "module bench.generated;"
echo "import iso20000.core;"
for ((i = 0; i < units; i++)); do
cat <<SMDL
enum Tier$i { bronze, silver, gold }

record Case$i {
  title: string;
  tier: Tier$i = Tier$i.bronze;
  impact: Impact = Impact.medium;
  urgency: Urgency = Urgency.medium;
  priority: Priority;
  owner: string?;
  tags: list<string>;
  attempts: int = 0;
}

table case_priority_$i(impact: Impact, urgency: Urgency) -> Priority {
  hit first;
  | impact        | urgency        | => |
  | Impact.high   | Urgency.high   | Priority.p1 |
  | Impact.high   | -              | Priority.p2 |
  | -             | Urgency.high   | Priority.p2 |
  | Impact.low    | Urgency.low    | Priority.p4 |
  | -             | -              | Priority.p3 |
}

policy case_target_$i(p: Priority, t: Tier$i) -> duration =
  t == Tier$i.gold ? duration("2h") :
  {Priority.p1: duration("4h"), Priority.p2: duration("8h"),
   Priority.p3: duration("24h"), Priority.p4: duration("72h")}[p];

setting case_retries_$i: int = 3;

process CaseFlow$i for Case$i {
  on create { priority = case_priority_$i(impact, urgency); }
  sla resolution {
    target   case_target_$i(priority, tier);
    calendar support_hours;
    start    on create;
    pause    in waiting;
    stop     on enter done;
    warn     at 75% emit "case.warning" { id: id };
    breach   emit "case.breached" { id: id, priority: priority };
  }
  initial state open {
    on take(who: string) when size(who) > 0 && !(who in tags) -> working { owner = who; }
  }
  state working {
    on wait -> waiting;
    on retry when attempts < case_retries_$i { attempts = attempts + 1; }
    on finish(note: string) when note.size() > 3 && tags.all(t, t != "") -> done;
  }
  state waiting {
    on resume -> working;
    after duration("48h") -> done;
  }
  final state done;
}
SMDL
done
