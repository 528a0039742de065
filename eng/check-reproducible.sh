#!/usr/bin/env bash
# Checks that the CertPolicy package is reproducible: clones one commit into two folders at different paths,
# packs each as CI does (ContinuousIntegrationBuild, SOURCE_DATE_EPOCH = the commit's time) and compares the
# two packages and symbol packages entry by entry. Any difference fails the check.
#   eng/check-reproducible.sh [commit]      (default: HEAD; uncommitted changes are not part of the check)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
commit=$(git rev-parse --verify "${1:-HEAD}^{commit}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CI=true SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct "$commit")

# Different depths and names, so any absolute path that leaks into an output shows up as a difference.
clones=("$work/a/CertPolicy" "$work/b/somewhere/else/cp")
for i in 0 1; do
  clone=${clones[$i]}
  git clone --quiet --no-checkout "$repo" "$clone"
  git -C "$clone" checkout --quiet --detach "$commit"
  if ! dotnet pack "$clone/src/CertPolicy" -c Release -o "$work/out$i" >"$work/pack$i.log" 2>&1; then
    cat "$work/pack$i.log"; echo "pack $i failed"; exit 1
  fi
done

version=$(cd "$work/out0" && ls CertPolicy.*.nupkg | grep -v '\.symbols\.' | sed -E 's/^CertPolicy\.(.*)\.nupkg$/\1/')
echo "commit $commit, version $version, packed at ${clones[0]} and ${clones[1]}"
status=0
for kind in nupkg snupkg; do
  echo "$kind:"
  dotnet run "$repo/eng/check-package.cs" -- compare "$work/out0/CertPolicy.$version.$kind" "$work/out1/CertPolicy.$version.$kind" || status=1
done
exit $status
