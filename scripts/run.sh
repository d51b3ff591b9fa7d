#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and start MergeTrain on its embedded
# defaults (embedded PostgreSQL under ./.mergetrain). Listens on MERGETRAIN_URLS, default
# http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

scripts/install-prerequisites.sh
dotnet build src/MergeTrain.Server -c Release -v quiet -nologo
exec dotnet run --project src/MergeTrain.Server -c Release --no-build -- --urls "${MERGETRAIN_URLS:-http://127.0.0.1:8080}" "$@"
