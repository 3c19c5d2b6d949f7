#!/usr/bin/env bash
# Fetch the HO dashboard's JavaScript library (Chart.js) from the npm registry, pinned and
# checked by sha256, into the usage collector's git-ignored static/vendor folder.
#
#   infra/web/fetch_assets.sh            # idempotent: does nothing when the pinned file is there
#   PROMOFLOW_WEB_VENDOR_DIR=/srv/x infra/web/fetch_assets.sh
#
# To upgrade: change CHARTJS_VERSION and CHARTJS_SHA256 together (sha256 of the .tgz; check
# it against the registry's dist.shasum / dist.integrity before committing).
set -euo pipefail

CHARTJS_VERSION=4.6.1
CHARTJS_SHA256=9345dacdf4bb4c5d40321f4b9aafab6fe676d37a534fc0bc2d17c4c4e29c4f00
REGISTRY=${NPM_REGISTRY:-https://registry.npmjs.org}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEST=${PROMOFLOW_WEB_VENDOR_DIR:-$ROOT/services/usage_collector/promoflow_usage_collector/entrypoints/static/vendor}
STAMP="$DEST/.chartjs-version"
WANT="chart.js $CHARTJS_VERSION $CHARTJS_SHA256"

if [[ -f "$DEST/chart.umd.min.js" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
  echo "web assets: chart.js $CHARTJS_VERSION already in $DEST"
  exit 0
fi

for tool in curl sha256sum tar; do
  command -v "$tool" >/dev/null || { echo "web assets: $tool is required" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
url="$REGISTRY/chart.js/-/chart.js-$CHARTJS_VERSION.tgz"
curl --fail --silent --show-error --location --retry 3 --max-time 120 -o "$tmp/chart.tgz" "$url"
if ! echo "$CHARTJS_SHA256  $tmp/chart.tgz" | sha256sum --check --status -; then
  echo "web assets: sha256 mismatch for $url (expected $CHARTJS_SHA256)" >&2
  exit 1
fi
tar -xzf "$tmp/chart.tgz" -C "$tmp" package/dist/chart.umd.min.js package/LICENSE.md
mkdir -p "$DEST"
install -m 0644 "$tmp/package/dist/chart.umd.min.js" "$DEST/chart.umd.min.js"
install -m 0644 "$tmp/package/LICENSE.md" "$DEST/chart.js-LICENSE.md"
echo "$WANT" > "$STAMP"
echo "web assets: chart.js $CHARTJS_VERSION installed in $DEST"
