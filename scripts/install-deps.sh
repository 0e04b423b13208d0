#!/usr/bin/env bash
# Installs the Debian packages the build, the system and the tests need, plus any named as arguments;
# only the missing ones.
set -euo pipefail

packages=(
  pkg-config
  gcc                   # the foreign C client test compiles with cc
  libprotobuf-c-dev     # libprotobuf-c, linked by every executable
  protobuf-c-compiler   # protoc-c, for Proto/generate.sh and the generated-code check
  libprotobuf-dev       # descriptor.proto, read by the Swift generator
  libsqlite3-dev        # SQLite, one database per service
  zlib1g-dev            # zlib, linked by compress-nio (the gateway's response compression)
  "$@"                  # extra packages a caller needs (e.g. python3-venv)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  echo "Installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift 6 toolchain is not on PATH (see https://www.swift.org/install/linux/)" >&2
  exit 1
fi
