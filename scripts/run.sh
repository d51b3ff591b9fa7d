#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and start the demo: the fake GitLab with
# its CI simulator and the real MergeTrain server on its embedded defaults (embedded PostgreSQL under
# ./.mergetrain), playing scenario B and then a steady stream of merge requests. Listens on
# MERGETRAIN_URLS, default http://127.0.0.1:8080. Further arguments go to the demo and the server,
# e.g. --Demo:Enabled=false (no traffic) or --Demo:Pace=0.5 (twice as fast).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

scripts/install-prerequisites.sh
dotnet build samples/MergeTrain.Demo -c Release -v quiet -nologo
# Started from here (not with 'dotnet run', which moves into the project folder) so that the
# relative data directory is ./.mergetrain at the top of the clone.
exec dotnet samples/MergeTrain.Demo/bin/Release/net10.0/MergeTrain.Demo.dll --urls "${MERGETRAIN_URLS:-http://127.0.0.1:8080}" "$@"
