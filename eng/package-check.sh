#!/usr/bin/env bash
# Packs every shipped library into artifacts/packages, then restores, builds and runs samples/PackageConsumer
# against those packages (a local folder feed next to the machine's own NuGet source), not project references:
# a broken package (missing dependency, wrong metadata, missing assembly) fails here. Also checks that the
# consumer's deps.json holds no Microsoft.Extensions.* newer than the net10.0 line (>= 11), i.e. that the packages
# pull in nothing newer than a .NET 10 app's shared framework. Exit code 0 = pass. Idempotent, non-interactive.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

fail() { echo "package-check: FAILED: $*" >&2; exit 1; }

feed=artifacts/packages
consumer_packages=artifacts/consumer-packages   # the consumer's own global-packages folder
rm -rf "$feed"
mkdir -p "$feed"
for project in src/*/*.csproj; do
  dotnet pack "$project" -c Release -o "$feed" -v quiet -nologo || fail "dotnet pack $project"
done

shopt -s nullglob
cores=("$feed"/Fusebox.[0-9]*.nupkg)
[ ${#cores[@]} -eq 1 ] || fail "expected one Fusebox.<version>.nupkg in $feed, found ${#cores[@]}"
version=$(basename "${cores[0]}" .nupkg); version=${version#Fusebox.}
for project in src/*/*.csproj; do
  id=$(basename "$project" .csproj)
  [ -f "$feed/$id.$version.nupkg" ] || fail "$feed/$id.$version.nupkg is missing"
  [ -f "$feed/$id.$version.snupkg" ] || fail "$feed/$id.$version.snupkg (symbols) is missing"
done
echo "package-check: packed $(ls "$feed"/*.nupkg | wc -l) packages, version $version"

# The same version can be packed twice with different content (uncommitted changes): never reuse an extracted copy.
rm -rf "$consumer_packages"/fusebox*
# A console app and an ASP.NET Core app, as a team would start them.
for consumer in samples/PackageConsumer samples/PackageConsumer.Web; do
  name=$(basename "$consumer")
  dotnet restore "$consumer" --packages "$consumer_packages" -p:FuseboxVersion="$version" -v quiet -nologo \
    || fail "restore of $consumer from $feed"
  dotnet build "$consumer" -c Release --no-restore -p:FuseboxVersion="$version" -v quiet -nologo \
    || fail "build of $consumer against the packages"

  deps="$consumer/bin/Release/net10.0/$name.deps.json"
  [ -f "$deps" ] || fail "$deps not found"
  grep -q "\"Fusebox.Http/$version\"" "$deps" || fail "$deps does not reference the package Fusebox.Http/$version"
  newer=$(grep -oE '"Microsoft\.Extensions\.[A-Za-z0-9.]+/(1[1-9]|[2-9][0-9])\.[^"]*"' "$deps" | sort -u || true)
  if [ -n "$newer" ]; then
    fail "$name pulls in Microsoft.Extensions.* newer than the .NET 10 shared framework (>= 11): $(echo $newer)"
  fi

  dotnet "$consumer/bin/Release/net10.0/$name.dll" || fail "$name did not run correctly"
done
