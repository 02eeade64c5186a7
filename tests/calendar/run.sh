#!/usr/bin/env bash
# Command-line tests of `smdl calendar`: each case runs the command and
# compares its exit status and its standard output exactly.
set -u
smdl=$1
here=$2
defs=$here/defs/hours.smdl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

# expect CODE OUTPUT ARGS...: exit status CODE and stdout exactly OUTPUT.
expect() {
  local want_code=$1 want_out=$2
  shift 2
  "$smdl" calendar "$@" > "$work/out" 2> "$work/err"
  local code=$?
  local out
  out=$(cat "$work/out")
  if [ "$code" -eq "$want_code" ] && [ "$out" == "$want_out" ]; then
    pass=$((pass + 1))
  else
    echo "FAIL smdl calendar $*"
    echo "    exit $code (expected $want_code), output: '$out' (expected '$want_out')"
    sed 's/^/    stderr: /' "$work/err" | head -10
    fail=$((fail + 1))
  fi
}

# expect_error CODE MESSAGE ARGS...: exit status CODE and MESSAGE in stderr.
expect_error() {
  local want_code=$1 message=$2
  shift 2
  "$smdl" calendar "$@" > "$work/out" 2> "$work/err"
  local code=$?
  if [ "$code" -eq "$want_code" ] && grep -qF -- "$message" "$work/err"; then
    pass=$((pass + 1))
  else
    echo "FAIL smdl calendar $*: exit $code (expected $want_code), stderr lacks '$message'"
    sed 's/^/    stderr: /' "$work/err" | head -10
    fail=$((fail + 1))
  fi
}

office=(--defs "$defs" --calendar office)

# Friday 16:00 + 4 business hours on mon..fri 08:00-18:00 is Monday 10:00.
expect 0 "2026-03-09T10:00:00+01:00" "${office[@]}" add --from 2026-03-06T16:00:00+01:00 --duration 4h
expect 0 "4h (14400s)" "${office[@]}" between --from 2026-03-06T16:00:00+01:00 --to 2026-03-09T10:00:00+01:00
expect 0 "-4h (-14400s)" "${office[@]}" between --from 2026-03-09T10:00:00+01:00 --to 2026-03-06T16:00:00+01:00
# The same instant written in UTC; the answer keeps the calendar's offset.
expect 0 "2026-03-09T10:00:00+01:00" "${office[@]}" add --from 2026-03-06T15:00:00Z --duration 240m
# Across the March change the due instant is in summer time.
expect 0 "2026-03-30T10:00:00+02:00" "${office[@]}" add --from 2026-03-27T16:00:00+01:00 --duration 4h
# Easter Monday is a holiday; Saturday 2026-03-14 is worked.
expect 0 "2026-04-07T10:00:00+02:00" "${office[@]}" add --from 2026-04-03T16:00:00+02:00 --duration 4h
expect 0 "2026-03-14T10:00:00+01:00" "${office[@]}" add --from 2026-03-13T16:00:00+01:00 --duration 4h
# The year end: 12-25, 12-26 and 01-01 are holidays every year.
expect 0 "2028-01-03T10:00:00+01:00" "${office[@]}" add --from 2027-12-31T16:00:00+01:00 --duration 4h
# Multi-week: 150 hours are three weeks of 50.
expect 0 "2026-05-22T18:00:00+02:00" "${office[@]}" add --from 2026-05-04T08:00:00+02:00 --duration 150h
expect 0 "150h (540000s)" "${office[@]}" between --from 2026-05-04T00:00:00+02:00 --to 2026-05-25T00:00:00+02:00
# Zero adds nothing.
expect 0 "2026-03-07T12:00:00+01:00" "${office[@]}" add --from 2026-03-07T12:00:00+01:00 --duration 0
# --explain lists the intervals counted.
expect 0 "2026-03-09T10:00:00+01:00
  working 2026-03-06T16:00:00+01:00 .. 2026-03-06T18:00:00+01:00
  working 2026-03-09T08:00:00+01:00 .. 2026-03-09T10:00:00+01:00" \
  "${office[@]}" add --from 2026-03-06T16:00:00+01:00 --duration 4h --explain

# Night shifts in New York across the November change: Saturday has none,
# Sunday 20:00-24:00, Monday 22:00 on.
nights=(--defs "$defs" --calendar nights)
expect 0 "2026-11-02T23:00:00-05:00" "${nights[@]}" add --from 2026-10-31T12:00:00-04:00 --duration 5h
expect 0 "2026-11-03T05:00:00-05:00" "${nights[@]}" add --from 2026-11-02T22:00:00-05:00 --duration 7h
expect 0 "8h (28800s)" "${nights[@]}" between --from 2026-11-02T22:00:00-05:00 --to 2026-11-03T12:00:00-05:00
# Around the clock in UTC is wall-clock time.
expect 0 "2026-03-08T16:00:00+00:00" --defs "$defs" --calendar around add --from 2026-03-06T16:00:00Z --duration 48h
expect 0 "48h (172800s)" --defs "$defs" --calendar around between --from 2026-03-06T16:00:00Z --to 2026-03-08T16:00:00Z

# With the site's override of office, 07:00-19:00 counts (module name or bare).
expect 0 "2026-03-09T08:00:00+01:00" --defs "$here/defs" --calendar office add --from 2026-03-06T16:00:00+01:00 --duration 4h
expect 0 "2026-03-09T08:00:00+01:00" --defs "$here/defs" --calendar hours.office add --from 2026-03-06T16:00:00+01:00 --duration 4h

# Mistakes.
expect_error 1 "no calendar 'lunch'" --defs "$defs" --calendar lunch add --from 2026-03-06T16:00:00Z --duration 1h
expect_error 1 "unknown time zone" --defs "$here/bad" --calendar office add --from 2026-03-06T16:00:00Z --duration 1h
expect_error 2 "RFC 3339" "${office[@]}" add --from "2026-03-06 16:00" --duration 1h
expect_error 2 "--duration must be a duration" "${office[@]}" add --from 2026-03-06T16:00:00Z --duration 1d
expect_error 2 "must not be negative" "${office[@]}" add --from 2026-03-06T16:00:00Z --duration -1h
expect_error 2 "missing --duration" "${office[@]}" add --from 2026-03-06T16:00:00Z
expect_error 2 "missing --to" "${office[@]}" between --from 2026-03-06T16:00:00Z
expect_error 2 "missing --defs" --calendar office add --from 2026-03-06T16:00:00Z --duration 1h
expect_error 2 "missing --calendar" --defs "$defs" add --from 2026-03-06T16:00:00Z --duration 1h
expect_error 2 "give one action: add, between or holidays" "${office[@]}" subtract --from 2026-03-06T16:00:00Z --duration 1h
expect_error 2 "unknown option" "${office[@]}" add --from 2026-03-06T16:00:00Z --duration 1h --frobnicate
expect_error 2 "" --defs "$here/no/such/file.smdl" --calendar office add --from 2026-03-06T16:00:00Z --duration 1h
expect_error 1 "before the year 10000" "${office[@]}" add --from 9999-12-01T00:00:00Z --duration 2000h
# Holiday sets: the closed dates of a year, and what they do to due times.
sets=$here/defs/holiday_sets.smdl
expect 0 "2027-01-01 fri
2027-03-26 fri
2027-03-29 mon
2027-05-03 mon
2027-05-31 mon
2027-08-30 mon
2027-12-25 sat
2027-12-26 sun
2027-12-27 mon
2027-12-28 tue" --defs "$sets" --calendar london holidays --year 2027
# Federal holidays on a Saturday are observed on the Friday, on a Sunday on
# the Monday; New Year's Day 2028 (a Saturday) on 2027-12-31.
expect 0 "2027-01-01 fri
2027-01-18 mon
2027-02-15 mon
2027-05-31 mon
2027-06-18 fri
2027-06-19 sat
2027-07-04 sun
2027-07-05 mon
2027-09-06 mon
2027-10-11 mon
2027-11-11 thu
2027-11-25 thu
2027-12-24 fri
2027-12-25 sat
2027-12-31 fri" --defs "$sets" --calendar washington holidays --year 2027
# Christmas 2027: Monday 27th and Tuesday 28th are substitutes in London;
# July 3rd 2026 is Independence Day observed.
expect 0 "2027-12-29T11:00:00+00:00" --defs "$sets" --calendar london add --from 2027-12-24T15:00:00Z --duration 4h
expect 0 "2026-07-06T11:00:00-04:00" --defs "$sets" --calendar washington add --from 2026-07-02T15:00:00-04:00 --duration 4h
expect_error 2 "--year must be" --defs "$sets" --calendar london holidays --year 20x7
expect_error 2 "holidays takes --year only" --defs "$sets" --calendar london holidays --year 2027 --from 2026-03-06T16:00:00Z
expect_error 2 "does not take --year" --defs "$sets" --calendar london add --from 2026-03-06T16:00:00Z --duration 1h --year 2026

"$smdl" calendar --help > "$work/out" 2>&1
if [ $? -eq 0 ] && grep -q "Usage: smdl calendar" "$work/out"; then pass=$((pass + 1)); else
  echo "FAIL smdl calendar --help"; fail=$((fail + 1)); fi

echo "calendar command: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
