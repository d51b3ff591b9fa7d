#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and start MergeTrain on its embedded
# defaults (embedded PostgreSQL under ./.mergetrain). Listens on MERGETRAIN_URLS, default
# http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

scripts/install-prerequisites.sh
dotnet build src/MergeTrain.Server -c Release -v quiet -nologo
# Started from here (not with 'dotnet run', which moves into the project folder) so that the
# relative data directory is ./.mergetrain at the top of the clone.
exec dotnet src/MergeTrain.Server/bin/Release/net10.0/MergeTrain.Server.dll --urls "${MERGETRAIN_URLS:-http://127.0.0.1:8080}" "$@"
