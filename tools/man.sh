#!/usr/bin/env bash
# Writes the man pages of the command line into DIR from the text of
# `smdl --help` and `smdl COMMAND --help`: smdl(1) and smdl-COMMAND(1).
#   tools/man.sh SMDL_BINARY DIR
set -euo pipefail
smdl=$1
dir=$2
mkdir -p "$dir"
version=$("$smdl" --version | head -1)

# Help text as roff: kept as written (no filling), backslashes escaped, and
# lines that would read as requests protected.
roff_text() {
  sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
}

page() {  # NAME SUMMARY HELP_FILE
  local name=$1 summary=$2 help=$3
  {
    echo ".TH $(echo "$name" | tr '[:lower:]' '[:upper:]') 1 \"\" \"$version\" \"smdl manual\""
    echo ".SH NAME"
    echo "$name \\- $(printf '%s' "$summary" | roff_text)"
    echo ".SH DESCRIPTION"
    echo ".nf"
    roff_text < "$help"
    echo ".fi"
    if [ "$name" = smdl ]; then
      echo ".SH SEE ALSO"
      sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' "$help" | while read -r c; do echo ".BR smdl-$c (1),"; done | sed '$ s/,$//'
    else
      echo ".SH SEE ALSO"
      echo ".BR smdl (1)"
    fi
  } > "$dir/$name.1"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$smdl" --help > "$work/smdl.txt"
page smdl "IT service management processes under ISO/IEC 20000, as code" "$work/smdl.txt"
# Each command of the list: "  NAME   SUMMARY".
sed -n '/^Commands:/,/^$/p' "$work/smdl.txt" | sed -n 's/^  \([a-z][a-z-]*\)  *\(.*\)$/\1\t\2/p' |
while IFS=$'\t' read -r command summary; do
  "$smdl" "$command" --help > "$work/$command.txt"
  page "smdl-$command" "$summary" "$work/$command.txt"
done
