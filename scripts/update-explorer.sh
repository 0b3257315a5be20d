#!/usr/bin/env bash
# Fetches the explorer's third-party assets (GraphiQL and React, production UMD builds) from
# the npm registry at the pinned versions below, checks each package against the registry's
# sha512 integrity, and writes them to api/explorer/vendor/, where the binary embeds them
# (api/src/http/explorer.rs). Run it only to move to another version; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."

# package@version  file-in-package  sha512 integrity of the package tarball (npm view … dist.integrity)
ASSETS=(
  "react@18.3.1 umd/react.production.min.js"
  "react-dom@18.3.1 umd/react-dom.production.min.js"
  "graphiql@4.1.2 graphiql.min.js"
  "graphiql@4.1.2 graphiql.min.css"
)

out=api/explorer/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
: >"$work/licenses"
for entry in "${ASSETS[@]}"; do
  read -r pkg file <<<"$entry"
  dir="$work/${pkg//[@\/]/_}"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    want=$(npm view "$pkg" dist.integrity)
    tgz=$(cd "$dir" && npm pack --silent "$pkg")
    got="sha512-$(openssl dgst -sha512 -binary "$dir/$tgz" | base64 -w0)"
    [ "$got" = "$want" ] || { echo "$pkg: integrity $got is not the registry's $want" >&2; exit 1; }
    tar xzf "$dir/$tgz" -C "$dir"
    { echo "== $pkg ($want)"; cat "$dir/package/LICENSE"*; echo; } >>"$work/licenses"
  fi
  cp "$dir/package/$file" "$out/$(basename "$file")"
done
cp "$work/licenses" "$out/LICENSES.txt"
( cd "$out" && sha256sum *.js *.css >SHA256SUMS )
echo "wrote $out:"; ls -l "$out"
