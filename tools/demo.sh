#!/usr/bin/env bash
# The ISO 20000 demo: what smdl does today, on the standard library and the
# example site. Run by `make demo` after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
smdl=build/bin/smdl
bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bold "1. Check the ISO/IEC 20000 standard library and the example site"
echo "\$ smdl check stdlib examples"
$smdl check stdlib examples

bold "2. The incident process (ISO/IEC 20000-1, 8.1) as a Mermaid state diagram"
echo "\$ smdl graph stdlib/iso20000/incident.smdl --format mermaid"
$smdl graph stdlib/iso20000/incident.smdl --format mermaid

bold "3. A site overrides a policy badly: every mistake is reported, with its place"
mkdir -p var/demo
cat > var/demo/broken_site.smdl <<'SMDL'
module broken.site;
import iso20000.core;
import iso20000.incident.defaults;

// Wrong: the original takes a Priority and returns a duration.
override policy resolution_target(p: Priority) -> int = 4;

// Wrong: medium impact with low urgency has no row, and rows 1 and 2 overlap.
table escalation_team(impact: Impact, urgency: Urgency) -> string {
  hit unique;
  | impact      | urgency      | => |
  | Impact.high | -            | "major-incident-team" |
  | -           | Urgency.high | "duty-manager" |
  | Impact.low  | Urgency.low  | "service-desk" |
}
SMDL
echo "\$ smdl check var/demo/broken_site.smdl"
$smdl check var/demo/broken_site.smdl || echo "(exit status $?: errors in the input)"

bold "Next"
echo "Read docs/language.md for the language, and README.md for a five-minute tour."
