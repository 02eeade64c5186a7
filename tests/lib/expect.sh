# Shared by the command-line test scripts: run a command and check its exit
# status and output. The sourcing script sets $work (a scratch directory) and
# reports $pass and $fail at the end.
pass=0
fail=0

# expect_exit CODE DESCRIPTION COMMAND...: stdout goes to $work/out, stderr to $work/err.
expect_exit() {
  local want=$1 what=$2
  shift 2
  "$@" > "$work/out" 2> "$work/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
    echo "FAIL $what: exit $got, expected $want"; sed 's/^/    /' "$work/err" "$work/out" | head -20; fail=$((fail + 1))
  fi
}

# expect_output FILE PATTERN DESCRIPTION: FILE has a line matching PATTERN (grep).
expect_output() {
  if grep -q -- "$2" "$1"; then pass=$((pass + 1)); else
    echo "FAIL $3: no '$2' in output"; sed 's/^/    /' "$1" | head -20; fail=$((fail + 1))
  fi
}
