#!/usr/bin/env bash
# Native-AOT smoke test: publishes samples/AotSmoke with PublishAot (any trim/AOT warning fails the publish, since
# warnings are errors) and runs the native binary, which checks the core breaker and the HTTP handler and prints
# "aot-smoke: ok". Exit code 0 = pass. Installs the native toolchain (clang, zlib1g-dev) through apt when missing;
# the ILCompiler itself comes from NuGet. Idempotent and non-interactive.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "aot-smoke: installing ${need[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } \
    || { echo "aot-smoke: FAILED: apt-get install ${need[*]} failed" >&2; exit 1; }
fi

rid=linux-x64
out=artifacts/aot-smoke
rm -rf "$out"
if ! dotnet publish samples/AotSmoke -c Release -r "$rid" -o "$out" -v quiet -nologo; then
  echo "aot-smoke: FAILED: dotnet publish with PublishAot failed (see the errors above)" >&2
  exit 1
fi

binary="$out/AotSmoke"
# A native AOT publish leaves a single ELF executable and no managed AotSmoke.dll beside it.
if [ ! -x "$binary" ] || [ -e "$out/AotSmoke.dll" ]; then
  echo "aot-smoke: FAILED: $binary is not a native AOT executable" >&2
  exit 1
fi
echo "aot-smoke: native binary $(du -h "$binary" | cut -f1)"
"$binary"
