#!/usr/bin/env bash
# Records the library's public surface: builds src/CertPolicy (and src/CertPolicy.Cli when given),
# adds every symbol the PublicApiAnalyzers report as undeclared (RS0016) to PublicAPI.Unshipped.txt and
# drops the ones reported as gone (RS0017). Run it after a deliberate change to the public API and
# review the diff: that diff is the API change.
set -euo pipefail
cd "$(dirname "$0")/.."
project=${1:-src/CertPolicy}
file="$project/PublicAPI.Unshipped.txt"
log=$(mktemp)
dotnet build "$project" -c Debug --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
added=$(grep -oE "RS0016: Symbol '.*' is not part of the declared public API" "$log" | sed -E "s/^RS0016: Symbol '(.*)' is not part of the declared public API$/\1/" | sort -u || true)
removed=$(grep -oE "RS0017: Symbol '.*' is part of the declared API, but is either not public or could not be found" "$log" | sed -E "s/^RS0017: Symbol '(.*)' is part of the declared API.*$/\1/" | sort -u || true)
tmp=$(mktemp)
{ grep -v "^#nullable enable$" "$file" || true; if [ -n "$added" ]; then printf "%s\n" "$added"; fi; } | sort -u > "$tmp"
if [ -n "$removed" ]; then
  grep -vxF -f <(printf '%s\n' "$removed") "$tmp" > "$tmp.2" || true
  mv "$tmp.2" "$tmp"
fi
{ echo '#nullable enable'; grep -v '^$' "$tmp" || true; } > "$file"
rm -f "$tmp" "$log"
echo "updated $file: $(printf '%s' "$added" | grep -c . || true) added, $(printf '%s' "$removed" | grep -c . || true) removed"
