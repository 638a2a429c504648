#!/usr/bin/env bash
# Copied from the workplace's shared/container tools so that the image test stands on its own; unchanged below.
# podman as it works on these machines: runc as the runtime, no default ulimits (the sandbox forbids
# raising them), host networking for builds and runs. Usage: podman.sh build|run|rm|images ... (as podman)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
printf '[containers]\ndefault_ulimits = []\n' > "$conf"
runtime=$(command -v runc || echo /usr/sbin/runc)
CONTAINERS_CONF=$conf exec podman --runtime "$runtime" "$@"
