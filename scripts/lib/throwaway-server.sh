# Sourced by scripts that need a running service: builds it, starts it on a throwaway SQLite
# database with the demo data on a free loopback port, and stops it (and removes the data)
# when the calling script exits. Sets SERVER_URL and SAMVERKAN_BIN, and `token ARGS…` mints
# a development token for that server.
cargo build -q --locked -p samverkan
SAMVERKAN_BIN=$PWD/target/debug/samverkan
_server_dir=$(mktemp -d)
_server_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env -u DATABASE_URL -u SAMVERKAN_DATABASE_URL -u SAMVERKAN_CONFIG \
  SAMVERKAN_DATA_DIR="$_server_dir" SAMVERKAN_BIND="127.0.0.1:$_server_port" SAMVERKAN_MODE=development SAMVERKAN_METRICS_BIND=off \
  "$SAMVERKAN_BIN" >"$_server_dir/server.log" 2>&1 &
_server_pid=$!
trap 'kill $_server_pid 2>/dev/null; wait $_server_pid 2>/dev/null; rm -rf "$_server_dir"' EXIT
SERVER_URL=http://127.0.0.1:$_server_port
for _ in $(seq 1 150); do
  curl -sf "$SERVER_URL/readyz" >/dev/null && break
  kill -0 $_server_pid 2>/dev/null || { cat "$_server_dir/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "$SERVER_URL/readyz" >/dev/null || { echo "the service did not become ready" >&2; cat "$_server_dir/server.log" >&2; exit 1; }

token() {
  env -u SAMVERKAN_CONFIG SAMVERKAN_DATA_DIR="$_server_dir" SAMVERKAN_MODE=development "$SAMVERKAN_BIN" token "$@"
}
