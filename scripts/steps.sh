# Steps shared by ./setup.sh, scripts/services.sh and .ci/run (sourced, not run): one install path for every entry point.
# Each step is idempotent and prints one line saying what it found or did.

# apt_install CMD=PACKAGE…: installs the Debian package of each missing command (as root, where apt-get exists).
apt_install() {
  local missing=() pair
  for pair in "$@"; do command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}"); done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "install: missing ${missing[*]}; install them (apt-get install ${missing[*]}) and run this again" >&2
    return 1
  fi
  echo "install: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# npm_ready: dependencies installed and the TypeScript built (npm ci builds through the root `prepare` script).
npm_ready() {
  if [ ! -d node_modules ]; then echo "npm: npm ci"; npm ci --no-audit --no-fund; fi
  if [ ! -f apps/cli/dist/main.js ]; then echo "npm: npm run build"; npm run build; fi
  echo "npm: dependencies installed, apps/cli/dist built"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

postgres_up() {
  if pg_isready -q -h 127.0.0.1 -p 5432; then echo "postgres: running on 127.0.0.1:5432"; return; fi
  command -v pg_ctlcluster >/dev/null || { echo "postgres: not installed (apt-get install postgresql)" >&2; return 1; }
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && { echo "postgres: started"; return; }; sleep 1; done
  echo "postgres: did not become ready within 30 s" >&2; return 1
}

postgres_down() {
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main stop && echo "postgres: stopped"
}

# The Redis this repository starts gets the seed's tuning (256 MB, least-recently-used keys evicted first);
# a Redis the user already runs is left exactly as it is.
REDIS_DIR="$PWD/.cache/redis"
redis_up() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then echo "redis: running on 127.0.0.1:6379 (its settings left as they are)"; return; fi
  command -v redis-server >/dev/null || { echo "redis: not installed (apt-get install redis-server)" >&2; return 1; }
  mkdir -p "$REDIS_DIR"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir "$REDIS_DIR" \
    --logfile "$REDIS_DIR/redis.log" --pidfile "$REDIS_DIR/redis.pid" --maxmemory 256mb --maxmemory-policy allkeys-lru
  for _ in $(seq 1 20); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && { echo "redis: started (maxmemory 256mb, allkeys-lru)"; return; }
    sleep 0.5
  done
  echo "redis: did not answer within 10 s" >&2; return 1
}

# Stops the Redis started by redis_up only: the one whose pid is in its pid file.
redis_down() {
  if [ -f "$REDIS_DIR/redis.pid" ] && kill -0 "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null; then
    kill "$(cat "$REDIS_DIR/redis.pid")" && rm -f "$REDIS_DIR/redis.pid" && echo "redis: stopped"
  else
    echo "redis: not started by this repository; left running"
  fi
}
