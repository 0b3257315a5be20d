#!/usr/bin/env bash
# Releases VERSION (the workspace version in Cargo.toml): CHANGELOG.md's "Unreleased" section
# becomes VERSION's, the schema is recorded as releases/vVERSION/schema.graphql (what
# scripts/schema-check.sh compares with, also where tags are not cloned), and the commit is
# tagged vVERSION.
#   scripts/release.sh 0.2.0
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/release.sh VERSION}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "VERSION is x.y.z" >&2; exit 1; }
grep -q "^version = \"$version\"" Cargo.toml || { echo "set version = \"$version\" in Cargo.toml first" >&2; exit 1; }
[ -z "$(git status --porcelain)" ] || { echo "commit or stash your changes first" >&2; exit 1; }
! git rev-parse -q --verify "refs/tags/v$version" >/dev/null || { echo "v$version exists" >&2; exit 1; }
cargo run -q --locked -p samverkan -- export-schema --out schema.graphql
git diff --quiet schema.graphql || { echo "schema.graphql was stale; commit the regenerated one first" >&2; exit 1; }
python3 - "$version" <<'PY'
import datetime, re, sys
version = sys.argv[1]
text = open("CHANGELOG.md", encoding="utf-8").read()
heading = re.search(r"^## \[?Unreleased\]?.*$", text, re.M)
if not heading:
    sys.exit("CHANGELOG.md has no Unreleased section")
today = datetime.date.today().isoformat()
text = text[:heading.end()] + f"\n\nNothing yet.\n\n## [{version}] - {today}" + text[heading.end():]
open("CHANGELOG.md", "w", encoding="utf-8").write(text)
PY
mkdir -p "releases/v$version"
cp schema.graphql "releases/v$version/schema.graphql"
git add CHANGELOG.md "releases/v$version/schema.graphql"
git commit -q -m "Release $version"
git tag -a "v$version" -m "Samverkan $version"
echo "tagged v$version; push it with: git push origin main v$version"
