#!/usr/bin/env bash
# Re-fetch the console's third-party browser assets from the npm registry into static/vendor/.
# The versions below are the ones shipped; change one, run this script, run the browser
# tests (tests/console), commit static/vendor/ together with the new version here.
# Needs npm at update time only: Tally itself never needs Node or the network.
set -euo pipefail

GRAPHIQL=3.8.3        # last GraphiQL with a UMD bundle (4.x+ are ESM-only)
REACT=18.3.1          # GraphiQL 3 runs on React 18 UMD builds
SWAGGER_UI=5.35.0
REDOC=2.5.4
UPLOT=1.6.32

here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fetch() {  # fetch NAME VERSION -> unpacked into $tmp/NAME/package
    mkdir -p "$tmp/$1"
    (cd "$tmp/$1" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
}

copy() {  # copy PACKAGE DEST FILE... (paths relative to the package root)
    local pkg="$1" dest="$vendor/$2"
    shift 2
    mkdir -p "$dest"
    for f in "$@"; do cp "$tmp/$pkg/package/$f" "$dest/"; done
}

fetch graphiql "$GRAPHIQL"
fetch react "$REACT"
fetch react-dom "$REACT"
fetch swagger-ui-dist "$SWAGGER_UI"
fetch redoc "$REDOC"
fetch uplot "$UPLOT"

rm -rf "$vendor"
copy graphiql graphiql graphiql.min.js graphiql.min.css LICENSE
copy react react umd/react.production.min.js LICENSE
copy react-dom react-dom umd/react-dom.production.min.js LICENSE
copy swagger-ui-dist swagger-ui swagger-ui-bundle.js swagger-ui.css \
    swagger-ui-bundle.js.LICENSE.txt LICENSE NOTICE
copy redoc redoc bundles/redoc.standalone.js bundles/redoc.standalone.js.LICENSE.txt LICENSE
copy uplot uplot dist/uPlot.iife.min.js dist/uPlot.min.css LICENSE

# ReDoc's sidebar footer loads its logo from Redocly's CDN: point it at Tally's own icon
sed -i 's#https://cdn.redoc.ly/redoc/logo-mini.svg#/console/static/tally.svg#' \
    "$vendor/redoc/redoc.standalone.js"
grep -q 'https://cdn' "$vendor/redoc/redoc.standalone.js" && { echo "redoc still loads from a CDN"; exit 1; }

# strip source-map references: the maps are not shipped
find "$vendor" -name '*.js' -exec sed -i -E '$ s#//[#@] sourceMappingURL=.*$##' {} +
find "$vendor" -name '*.css' -exec sed -i -E 's#/\*[#@] sourceMappingURL=[^*]*\*/##' {} +

cat > "$vendor/VERSIONS" <<VERSIONS
graphiql $GRAPHIQL
react $REACT
react-dom $REACT
swagger-ui-dist $SWAGGER_UI
redoc $REDOC
uplot $UPLOT
VERSIONS
echo "vendored into $vendor:"
cat "$vendor/VERSIONS"
