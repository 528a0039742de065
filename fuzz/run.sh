#!/usr/bin/env bash
# Coverage-guided fuzzing of one CertPolicy fuzz target with AFL++ and SharpFuzz.
#
#   fuzz/run.sh TARGET SECONDS           fuzz TARGET for SECONDS; crashes and hangs are copied into
#                                        tests/CertPolicy.Tests/FuzzRegressions/TARGET/ (replayed by `dotnet test`)
#   fuzz/run.sh --minimise TARGET DIR    minimise the inputs in DIR with afl-cmin into fuzz/corpus/TARGET/
#
# Targets: certificate crl pem identity approvals profile pending (see fuzz/Targets/). Installs what it needs with the ordinary
# package clients: Debian's afl++ (apt-get) and the SharpFuzz.CommandLine .NET tool (into fuzz/.tools). Builds the
# fuzz host into fuzz/out/TARGET/bin, instruments CertPolicy.dll there, and keeps AFL's findings in
# fuzz/out/TARGET/findings; fuzz/dictionaries/TARGET.dict, when there is one, gives afl-fuzz the format's tokens.
# Two runs may go at once (each has its own folder; builds take turns). On a shared machine run it under
# `nice -n 19`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() { echo "usage: fuzz/run.sh TARGET SECONDS | fuzz/run.sh --minimise TARGET DIR" >&2; exit 1; }
targets=" certificate crl pem identity approvals profile pending "
mode=fuzz
if [ "${1:-}" = "--minimise" ]; then mode=minimise; shift; fi
[ $# -eq 2 ] || usage
target=$1
[[ "$targets" == *" $target "* ]] || { echo "unknown target '$target'; the targets are:$targets" >&2; exit 1; }
if [ "$mode" = fuzz ]; then
  seconds=$2
  [[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage
else
  raw=$(cd "$2" && pwd)
fi

# --- tools --------------------------------------------------------------------------------------------------------
if ! command -v afl-fuzz >/dev/null; then
  echo "== installing afl++ (apt-get)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq afl++ >/dev/null
fi
tools=$repo/fuzz/.tools
if [ ! -x "$tools/sharpfuzz" ]; then
  echo "== installing SharpFuzz.CommandLine (dotnet tool) into fuzz/.tools"
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
fi

# --- build and instrument -----------------------------------------------------------------------------------------
out=$repo/fuzz/out/$target
bin=$out/bin
mkdir -p "$repo/fuzz/out"
echo "== building the fuzz host into fuzz/out/$target/bin"
(
  flock 9 # One build at a time: two runs share the projects' obj folders.
  rm -rf "$bin"
  dotnet publish fuzz/CertPolicy.Fuzz -c Release -o "$bin" -p:UseAppHost=true >"$repo/fuzz/out/$target.build.log" 2>&1 \
    || { cat "$repo/fuzz/out/$target.build.log"; exit 1; }
) 9>"$repo/fuzz/out/.build.lock"
echo "== instrumenting CertPolicy.dll"
"$tools/sharpfuzz" "$bin/CertPolicy.dll"

export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
# afl-fuzz's own timeout (ms) for one input: above the 2 s bound each target checks per call (a slower call is
# reported by the target itself as a crash naming the call), and above a .NET start-up.
timeout_ms=10000

if [ "$mode" = minimise ]; then
  rm -rf "$out/cmin"
  afl-cmin -i "$raw" -o "$out/cmin" -t "$timeout_ms" -m none -- "$bin/CertPolicy.Fuzz" "$target"
  rm -rf "fuzz/corpus/$target" && mkdir -p "fuzz/corpus/$target"
  cp "$out/cmin"/* "fuzz/corpus/$target/"
  echo "== fuzz/corpus/$target: $(ls "fuzz/corpus/$target" | wc -l) files (from $(ls "$raw" | wc -l))"
  exit 0
fi

# --- fuzz ---------------------------------------------------------------------------------------------------------
findings=$out/findings
rm -rf "$findings"
echo "== afl-fuzz $target for ${seconds}s (findings in fuzz/out/$target/findings)"
dictionary=(); [ -f "fuzz/dictionaries/$target.dict" ] && dictionary=(-x "fuzz/dictionaries/$target.dict")
afl-fuzz -V "$seconds" -i "fuzz/corpus/$target" -o "$findings" "${dictionary[@]}" -t "$timeout_ms" -m none -- "$bin/CertPolicy.Fuzz" "$target" \
  >"$out/afl.log" 2>&1 || { tail -40 "$out/afl.log"; echo "afl-fuzz failed"; exit 1; }

stats=$findings/default/fuzzer_stats
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
regressions=tests/CertPolicy.Tests/FuzzRegressions/$target
copied=0
for kind in crashes hangs; do
  for file in "$findings/default/$kind"/id:*; do
    [ -e "$file" ] || continue
    mkdir -p "$regressions"
    name="$kind-$(sha256sum "$file" | cut -c1-16)"
    [ -e "$regressions/$name" ] || { cp "$file" "$regressions/$name"; copied=$((copied + 1)); }
  done
done
echo "== $target: $(stat execs_done) executions in $(stat run_time)s ($(stat execs_per_sec)/s), corpus $(stat corpus_count), edges $(stat edges_found) ($(stat bitmap_cvg)), crashes $(stat saved_crashes), hangs $(stat saved_hangs); $copied new regression files in $regressions"
[ "$(stat saved_crashes)" = 0 ] && [ "$(stat saved_hangs)" = 0 ]
