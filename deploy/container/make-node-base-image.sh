#!/usr/bin/env bash
# Copied from the workplace's shared/container tools so that the image test stands on its own; unchanged below.
# Builds, from Debian packages and this machine's own Node.js, a local image tagged
# docker.io/library/node:20-bookworm-slim, so that a Dockerfile starting `FROM node:20-bookworm-slim`
# builds and runs here without reaching any image registry. Idempotent: does nothing if the image exists.
# Needs root. Installs podman, runc and debootstrap from apt if missing. Takes 2-5 minutes the first time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tag=docker.io/library/node:20-bookworm-slim
if "$here/podman.sh" image exists "$tag" 2>/dev/null; then echo "base image $tag already present"; exit 0; fi
need=()
for c in podman runc debootstrap; do command -v "$c" >/dev/null || need+=("$c"); done
if ((${#need[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || {
    apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
debootstrap --variant=minbase bookworm "$rootfs" ${mirror:+"$mirror"} >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
cp "$node_bin" "$rootfs/usr/bin/node"
mkdir -p "$rootfs/usr/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/bin/npx"
# The registries here are reached through a proxy with its own CA: builds inside the image need it too.
mkdir -p "$rootfs/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
tar -C "$rootfs" -cf "$work/rootfs.tar" .
"$here/podman.sh" import --change 'CMD ["node"]' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' "$work/rootfs.tar" "$tag" >/dev/null
echo "built $tag ($(chroot "$rootfs" node --version))"
