#!/usr/bin/env bash
# services.sh makes sure the services the tests need are on this machine, so
# `go test ./...` works on a fresh Debian machine with only Go installed:
#
#   - the mosquitto binary (tests start their own brokers from it on free
#     ports), installed from Debian's packages if missing;
#   - node and npm (Debian's nodejs and npm if missing), which build the web
#     console (cloud/webui's build test);
#   - chromium and fonts-noto-cjk for the console's browser tests
#     (e2e/console), exported as JXC_CHROMIUM;
#   - fonts-wqy-microhei and poppler-utils for the PDF printing tests
#     (cloud/docs/pdfdoc embeds the font; pdftotext reads the PDFs back);
#   - a PostgreSQL server with trust auth for the user postgres: the one on
#     127.0.0.1:5432 if it lets postgres in without a password, otherwise a
#     private instance this script starts (and reuses on later runs) under
#     ${TMPDIR:-/tmp}/jxc-pg-<uid>, installing Debian's postgresql if needed.
#
# It prints shell exports on stdout and everything else on stderr:
#
#   eval "$(scripts/services.sh)" && go test ./...
#
# prints, for instance,
#
#   export JXC_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
#   export JXC_MOSQUITTO='/usr/sbin/mosquitto'
#   export JXC_CHROMIUM='/usr/bin/chromium'
#
# It exits non-zero with a message when it cannot provide a service: CI must
# fail then, not skip tests.
#
#   scripts/services.sh fonts    installs only the CJK font printed documents use (make demo)
#   scripts/services.sh stop     stops the private PostgreSQL instance, if running
#   scripts/services.sh status   says what a run would use, changing nothing
#
# Environment:
#   JXC_PG_PORT_CHECK  port on 127.0.0.1 to try before starting a private
#                      instance (default 5432)
#   TMPDIR             where the private instance lives (default /tmp)
set -euo pipefail

log() { printf 'services.sh: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# as_root runs a command as root: directly when we are root, else with
# sudo (never prompting: there is no terminal in CI). The lock's file
# descriptor is closed for it: a service a package starts must not hold it.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@" 9>&-
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n "$@" 9>&- || die "'sudo -n $*' failed: run as root, or allow this user password-less sudo"
	else
		die "need root to run '$*': run this script as root, or install sudo"
	fi
}

APT_UPDATED=0

# apt_install installs Debian packages by name; it runs apt-get update once.
apt_install() {
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand (this script knows Debian only)"
	if [ "$APT_UPDATED" -eq 0 ]; then
		log "apt-get update"
		as_root apt-get update >&2 || die "apt-get update failed"
		APT_UPDATED=1
	fi
	log "apt-get install $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 ||
		die "apt-get install $* failed"
}

# ---- mosquitto ------------------------------------------------------------

find_mosquitto() {
	local p
	for p in "$(command -v mosquitto 2>/dev/null || true)" /usr/sbin/mosquitto /usr/bin/mosquitto /usr/local/sbin/mosquitto; do
		if [ -n "$p" ] && [ -x "$p" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

ensure_mosquitto() {
	local bin
	if ! bin=$(find_mosquitto); then
		log "mosquitto not found; installing Debian's package"
		apt_install mosquitto
		bin=$(find_mosquitto) || die "mosquitto is still missing after installing the package"
	fi
	"$bin" -h 2>&1 | head -n 1 | sed 's/^/services.sh: /' >&2 || true
	log "mosquitto: $bin"
	MOSQUITTO=$bin
}

# ---- PostgreSQL -----------------------------------------------------------

CHECK_PORT=${JXC_PG_PORT_CHECK:-5432}
PG_BIN=""
PSQL=""

# newest_pg_bin prints the bin directory of the newest PostgreSQL that
# Debian's packages installed, if any.
newest_pg_bin() {
	local d
	d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
		echo "$d"
		return 0
	fi
	return 1
}

find_psql() {
	local d
	if command -v psql >/dev/null 2>&1; then
		command -v psql
		return 0
	fi
	d=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/psql' 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$d" ] && [ -x "$d" ]; then
		echo "$d"
		return 0
	fi
	return 1
}

ensure_psql() {
	if ! PSQL=$(find_psql); then
		log "psql not found; installing Debian's client"
		apt_install postgresql-client
		PSQL=$(find_psql) || die "psql is still missing after installing postgresql-client"
	fi
}

ensure_pg_server_bin() {
	if ! PG_BIN=$(newest_pg_bin); then
		log "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; installing Debian's postgresql"
		apt_install postgresql
		PG_BIN=$(newest_pg_bin) || die "initdb, pg_ctl or postgres still missing under /usr/lib/postgresql/*/bin after installing postgresql"
	fi
	log "PostgreSQL binaries: $PG_BIN ($("$PG_BIN/postgres" --version))"
}

# pg_trusts PORT succeeds if the server on 127.0.0.1:PORT lets the user
# postgres in without a password (what the tests' DSN needs).
pg_trusts() {
	env -u PGPASSWORD -u PGSERVICE PGPASSFILE=/dev/null PGCONNECT_TIMEOUT=5 \
		"$PSQL" -X -w -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atqc 'select 1' </dev/null >/dev/null 2>&1
}

# listening PORT succeeds if something accepts TCP connections on it.
listening() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port prints a port on 127.0.0.1 that nothing listens on.
free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 40000))
		if ! listening "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# choose_dir sets where the private instance lives. Root cannot run initdb,
# so as root the instance belongs to the OS user postgres (made by Debian's
# package), which must be able to reach the directory.
choose_dir() {
	local uid tmp
	uid=$(id -u)
	tmp=${TMPDIR:-/tmp}
	PG_DIR="$tmp/jxc-pg-$uid"
	if [ "${#PG_DIR}" -gt 80 ]; then
		# The unix socket path must stay under ~100 bytes.
		log "$PG_DIR is too long for a unix socket path; using /tmp"
		PG_DIR="/tmp/jxc-pg-$uid"
	elif [ "$uid" -eq 0 ] && getent passwd postgres >/dev/null && ! as_pg test -x "$tmp"; then
		log "user postgres cannot reach $tmp; using /tmp"
		PG_DIR="/tmp/jxc-pg-$uid"
	fi
	PG_DATA="$PG_DIR/data"
	PG_LOG="$PG_DIR/postgres.log"
	PG_PORT_FILE="$PG_DIR/port"
}

# as_pg runs a command as the owner of the private instance. The lock's file
# descriptor is closed for it: a server it starts must not hold the lock.
as_pg() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@" 9>&-
	elif command -v runuser >/dev/null 2>&1; then
		runuser -u postgres -- "$@" 9>&-
	else
		su -s /bin/sh postgres -c "$(printf '%q ' "$@")" 9>&-
	fi
}

prepare_dir() {
	mkdir -p "$PG_DIR"
	chmod 0755 "$PG_DIR"
	if [ "$(id -u)" -eq 0 ]; then
		getent passwd postgres >/dev/null || die "OS user postgres does not exist (Debian's postgresql package makes it); cannot run initdb as root"
		chown postgres: "$PG_DIR"
		as_pg test -w "$PG_DIR" || die "user postgres cannot write $PG_DIR"
	fi
}

pg_running() {
	[ -f "$PG_DATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

# pg_start starts the private instance on port and waits until it accepts
# connections. It runs in a subshell that first closes every file descriptor
# above 2 it inherited (the lock, pipes of whatever runs this script), so the
# server holds none of them open after the script exits.
pg_start() (
	local fd
	for fd in "/proc/$BASHPID/fd"/*; do
		fd=${fd##*/}
		if [ "$fd" -gt 2 ] && [ "$fd" -ne 255 ]; then
			eval "exec $fd>&-" 2>/dev/null || true
		fi
	done
	# fsync off: a test database need not survive a power cut.
	as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
		-o "-c listen_addresses=127.0.0.1 -p $1 -k '$PG_DIR' -c fsync=off -c max_connections=200" >&2
)

start_private() {
	local port attempt
	prepare_dir
	# A data directory of another major version (the machine's PostgreSQL
	# was upgraded) or one that initdb left unfinished is only test data:
	# start over.
	local want have
	want=$(basename "$(dirname "$PG_BIN")")
	have=$(cat "$PG_DATA/PG_VERSION" 2>/dev/null || true)
	if [ -d "$PG_DATA" ] && [ "$have" != "$want" ]; then
		log "$PG_DATA holds version '${have:-none}', not $want; removing it"
		rm -rf "$PG_DATA"
	fi
	if [ ! -f "$PG_DATA/PG_VERSION" ]; then
		log "initdb $PG_DATA"
		if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >&2; then
			rm -rf "$PG_DATA"
			die "initdb into $PG_DATA failed"
		fi
	fi
	for attempt in 1 2 3 4 5; do
		port=$(free_port) || die "found no free TCP port on 127.0.0.1"
		log "starting private PostgreSQL on 127.0.0.1:$port (data $PG_DATA, log $PG_LOG)"
		if pg_start "$port"; then
			echo "$port" >"$PG_PORT_FILE"
			if pg_trusts "$port"; then
				return 0
			fi
			tail -n 20 "$PG_LOG" >&2 || true
			die "private PostgreSQL started on port $port but psql cannot connect as postgres"
		fi
		log "start attempt $attempt failed (port $port taken?); last log lines:"
		tail -n 5 "$PG_LOG" >&2 || true
	done
	die "could not start a private PostgreSQL in $PG_DATA; see $PG_LOG"
}

# ensure_postgres sets PG_PORT to a port on 127.0.0.1 where postgres may log
# in without a password.
ensure_postgres() {
	ensure_psql
	if pg_trusts "$CHECK_PORT"; then
		log "PostgreSQL on 127.0.0.1:$CHECK_PORT accepts postgres with trust auth; using it"
		PG_PORT=$CHECK_PORT
		return
	fi
	if listening "$CHECK_PORT"; then
		log "a server on 127.0.0.1:$CHECK_PORT does not let postgres in without a password; starting a private instance"
	else
		log "nothing listens on 127.0.0.1:$CHECK_PORT; starting a private instance"
	fi
	ensure_pg_server_bin
	choose_dir
	if pg_running; then
		PG_PORT=$(cat "$PG_PORT_FILE" 2>/dev/null || true)
		if [ -n "$PG_PORT" ] && pg_trusts "$PG_PORT"; then
			log "reusing the private PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DATA)"
			return
		fi
		log "private PostgreSQL in $PG_DATA runs but does not answer on port ${PG_PORT:-?}; restarting it"
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >&2 || die "could not stop the private PostgreSQL in $PG_DATA"
	fi
	start_private
	PG_PORT=$(cat "$PG_PORT_FILE")
	log "private PostgreSQL ready on 127.0.0.1:$PG_PORT (stop it with: $0 stop)"
}

stop_private() {
	PG_BIN=$(newest_pg_bin) || {
		log "no PostgreSQL binaries; nothing to stop"
		return 0
	}
	choose_dir
	if pg_running; then
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >&2 || die "could not stop the private PostgreSQL in $PG_DATA"
		log "stopped the private PostgreSQL in $PG_DATA"
	else
		log "no private PostgreSQL runs in $PG_DATA"
	fi
}

# lock serializes concurrent runs (two test commands started at once must
# not both initdb the same directory).
lock() {
	if command -v flock >/dev/null 2>&1; then
		exec 9>"${TMPDIR:-/tmp}/jxc-services-$(id -u).lock"
		flock -w 120 9 || die "another services.sh run holds the lock for over 120 s"
	fi
}

# ensure_libusb installs libusb's headers where a C compiler is there, so
# the USB scanner driver (build tag usb, cgo) is compiled and tested too;
# JXC_USB=1 tells the Makefile it can.
ensure_libusb() {
	USB=0
	command -v gcc >/dev/null 2>&1 || { log "no C compiler: the USB scanner driver is not built"; return 0; }
	if ! dpkg -s libusb-1.0-0-dev pkg-config >/dev/null 2>&1; then
		apt_install libusb-1.0-0-dev pkg-config
	fi
	USB=1
	log "libusb-1.0-0-dev: installed"
}

# ---- node, npm, chromium (the web console) --------------------------------

# node_ok succeeds if node is 18 or newer and npm is there (the console's
# build, Vite 6, needs node 18+).
node_ok() {
	local major
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || return 1
	major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || return 1
	[ "${major:-0}" -ge 18 ]
}

ensure_node() {
	if ! node_ok; then
		log "node 18+ with npm not found; installing Debian's nodejs and npm"
		if command -v node >/dev/null 2>&1; then
			apt_install npm
		else
			apt_install nodejs npm
		fi
		node_ok || die "node 18+ and npm are still missing after installing nodejs and npm (node $(node --version 2>/dev/null || echo none))"
	fi
	log "node $(node --version), npm $(npm --version)"
}

find_chromium() {
	local p
	for p in "${JXC_CHROMIUM:-}" /usr/bin/chromium "$(command -v chromium 2>/dev/null || true)"; do
		if [ -n "$p" ] && [ -x "$p" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# ensure_chromium installs Debian's chromium for the console's browser
# tests, and fonts-noto-cjk so that Chinese renders in its screenshots.
ensure_chromium() {
	local missing=()
	find_chromium >/dev/null || missing+=(chromium)
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
	if [ "${#missing[@]}" -gt 0 ]; then
		log "installing ${missing[*]} for the console's browser tests"
		apt_install "${missing[@]}"
	fi
	CHROMIUM=$(find_chromium) || die "chromium is still missing after installing Debian's package"
	log "chromium: $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo '?'))"
}

# ensure_pdf installs what the PDF printing tests need (cloud/docs/pdfdoc):
# Debian's fonts-wqy-microhei, the CJK TrueType font the printer embeds,
# and poppler-utils, whose pdftotext and pdfinfo check the printed PDFs.
ensure_pdf() {
	local missing=()
	dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
	command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 || missing+=(poppler-utils)
	if [ "${#missing[@]}" -gt 0 ]; then
		log "installing ${missing[*]} for the PDF printing tests"
		apt_install "${missing[@]}"
	fi
	command -v pdftotext >/dev/null 2>&1 || die "pdftotext is still missing after installing poppler-utils"
	log "pdf: $(command -v pdftotext), fonts-wqy-microhei"
}

main() {
	case "${1:-start}" in
	start)
		lock
		ensure_mosquitto
		ensure_postgres
		ensure_libusb
		ensure_node
		ensure_chromium
		ensure_pdf
		printf "export JXC_USB='%s'\n" "$USB"
		printf "export JXC_TEST_POSTGRES='postgres://postgres@127.0.0.1:%s/postgres?sslmode=disable'\n" "$PG_PORT"
		printf "export JXC_MOSQUITTO='%s'\n" "$MOSQUITTO"
		printf "export JXC_CHROMIUM='%s'\n" "$CHROMIUM"
		;;
	fonts)
		# The demo's printed documents: the CJK font only (no test tools).
		lock
		if ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
			log "installing fonts-wqy-microhei for printed documents (PDF)"
			apt_install fonts-wqy-microhei
		fi
		;;
	stop)
		lock
		stop_private
		;;
	status)
		if m=$(find_mosquitto); then log "mosquitto: $m"; else log "mosquitto: not installed"; fi
		if node_ok; then log "node $(node --version), npm $(npm --version)"; else log "node 18+ with npm: not installed"; fi
		if c=$(find_chromium); then log "chromium: $c"; else log "chromium: not installed"; fi
		if PSQL=$(find_psql) && pg_trusts "$CHECK_PORT"; then
			log "PostgreSQL on 127.0.0.1:$CHECK_PORT: trust auth for postgres"
		else
			log "PostgreSQL on 127.0.0.1:$CHECK_PORT: not usable"
		fi
		if PG_BIN=$(newest_pg_bin); then
			choose_dir
			if pg_running; then
				log "private PostgreSQL in $PG_DATA: running on port $(cat "$PG_PORT_FILE" 2>/dev/null || echo '?')"
			else
				log "private PostgreSQL in $PG_DATA: not running"
			fi
		fi
		;;
	*)
		die "usage: $0 [start|stop|status]"
		;;
	esac
}

main "$@"
