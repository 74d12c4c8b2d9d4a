#!/usr/bin/env bash
# Run N ConvLab replicas behind nginx (Debian's package) with sticky sessions, on loopback.
#
#   scripts/replicas.sh [N=2] [PORT=8080]     # then open http://127.0.0.1:PORT ; Ctrl-C stops everything
#
# Replica k listens on 127.0.0.1:(8600+k); all share one cookie secret so an XSRF cookie stays valid if a tab
# has to move. Writes the process ids to .replicas/pids (the load test reads them: --pid-file).
# Every replica inherits this environment, so they share one class store: the SQLite file in CONVLAB_DATA_DIR
# (default ~/.local/share/convlab) or CONVLAB_DATABASE_URL (docs/deploy.md, "Class sessions and stored models").
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2}
PORT=${2:-8080}
TTL=${CONVLAB_SESSION_TTL:-120}
command -v nginx >/dev/null || { echo "nginx is not installed: apt-get install -y nginx" >&2; exit 1; }
bash scripts/setup.sh >/dev/null
PREFIX="$PWD/.replicas"
rm -rf "$PREFIX" && mkdir -p "$PREFIX"
SECRET=${CONVLAB_COOKIE_SECRET:-$(.venv/bin/python -c "import secrets; print(secrets.token_hex(32))")}
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; nginx -p "$PREFIX" -c "$PREFIX/nginx.conf" -s stop 2>/dev/null || true; }
trap cleanup EXIT INT TERM
upstreams=""
for k in $(seq 1 "$N"); do
  port=$((8600 + k))
  MALLOC_ARENA_MAX=2 STREAMLIT_SERVER_COOKIE_SECRET="$SECRET" .venv/bin/python -m streamlit run app.py --server.port "$port" \
    --server.address 127.0.0.1 --server.fileWatcherType none --server.disconnectedSessionTTL "$TTL" \
    > "$PREFIX/replica$k.log" 2>&1 &
  pids+=($!)
  upstreams+="        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
done
sed -e "s#@LISTEN@#127.0.0.1:$PORT#" -e "s#@PREFIX@#$PREFIX#g" deploy/nginx/convlab.conf.template \
  | .venv/bin/python -c "import sys; sys.stdout.write(sys.stdin.read().replace('@UPSTREAMS@', sys.argv[1].rstrip()))" "$upstreams" \
  > "$PREFIX/nginx.conf"
for k in $(seq 1 "$N"); do
  for _ in $(seq 1 180); do
    curl -sf "http://127.0.0.1:$((8600 + k))/_stcore/health" >/dev/null && break
    kill -0 "${pids[$((k - 1))]}" 2>/dev/null || { echo "replica $k exited:" >&2; tail -5 "$PREFIX/replica$k.log" >&2; exit 1; }
    sleep 0.5
  done
done
nginx -p "$PREFIX" -c "$PREFIX/nginx.conf"
printf '%s\n' "${pids[@]}" > "$PREFIX/pids"
echo "ConvLab: $N replicas behind nginx at http://127.0.0.1:$PORT (replica pids: ${pids[*]})"
wait
