#!/usr/bin/env bash
# Installs the Debian packages MergeTrain needs when they are missing; does nothing otherwise.
#   postgresql   the server programs of the embedded database (and of the test database)
#   git          merges the builder hands to git, the tests' oracle, git daemon and http-backend
#   chromium     the browser the dashboard tests drive through Playwright
set -euo pipefail

packages=(postgresql git chromium)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Run as root or install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts its own cluster on install; MergeTrain runs a private one, so leave that one down.
if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null; then
  $sudo pg_ctlcluster --mode fast "$(ls /usr/lib/postgresql | sort -n | tail -1)" main stop 2>/dev/null || true
fi
