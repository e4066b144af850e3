# shellcheck shell=bash
# tests/wine/proof-lib.sh: TLS servers for the proof scenarios. Source it
# after lib.sh:
#
#   . "$(dirname "$0")/proof-lib.sh"
#
# make_cert writes a self-signed certificate for 127.0.0.1 at run time;
# start_tls_server starts `openssl s_server -www` on 127.0.0.1 on a free
# port, bounded by `timeout`, and remembers its pid; every server is stopped
# by that pid when the scenario ends (before lib.sh's cleanup).

# shellcheck disable=SC2034 # the scenarios read it
K_TLS10_CLIENT="$K_SCHANNEL"'\TLS 1.0\Client'
TLS_DIR="$WORK_DIR/tls"
TLS_PIDS=()
TLS_PORTS=()
# How long a server may live at most, in seconds.
TLS_LIFETIME=${TLS_LIFETIME:-280}

stop_tls_servers()
{
	local pid

	for pid in "${TLS_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	TLS_PIDS=()
	TLS_PORTS=()
}
# lib.sh's cleanup exits with the status it finds in $?: hand it the
# scenario's (errexit off, or the subshell's status would end the trap).
trap 'tls_rc=$?; stop_tls_servers; set +e; (exit "$tls_rc"); cleanup' EXIT

# stop_tls_server_on PORT: stops the server started on that port.
stop_tls_server_on()
{
	local i pid

	for i in "${!TLS_PIDS[@]}"; do
		[ "${TLS_PORTS[$i]}" = "$1" ] || continue
		pid=${TLS_PIDS[$i]}
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		unset 'TLS_PIDS[i]' 'TLS_PORTS[i]'
	done
	! port_open "$1" || fail "the TLS server on port $1 is still up"
}

# Writes $TLS_DIR/cert.pem and key.pem (RSA 2048, CN and IP SAN 127.0.0.1,
# valid two days).
make_cert()
{
	mkdir -p "$TLS_DIR"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		>"$TLS_DIR/req.log" 2>&1 ||
		fail "openssl could not make the test certificate: $(cat "$TLS_DIR/req.log")"
}

# 0 when something accepts connections on 127.0.0.1:$1.
port_open()
{
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_tls_server NAME OPENSSL_OPTION...: starts a server speaking only what
# the options allow (e.g. -tls1_2, or -tls1 -cipher 'DEFAULT:@SECLEVEL=0')
# and sets TLS_PORT to its port. With TLS_PORT_WANT set, on that port only.
start_tls_server()
{
	local name=$1 try port pid i
	shift

	[ -f "$TLS_DIR/cert.pem" ] || make_cert
	for ((try = 0; try < 20; try++)); do
		port=${TLS_PORT_WANT:-$((20000 + (RANDOM * 32768 + RANDOM) % 40000))}
		port_open "$port" && continue
		timeout "$TLS_LIFETIME" openssl s_server -accept "127.0.0.1:$port" \
			-cert "$TLS_DIR/cert.pem" -key "$TLS_DIR/key.pem" \
			-www -quiet "$@" </dev/null >"$TLS_DIR/$name.log" 2>&1 &
		pid=$!
		for ((i = 0; i < 50; i++)); do
			port_open "$port" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if port_open "$port" && kill -0 "$pid" 2>/dev/null; then
			TLS_PIDS+=("$pid")
			TLS_PORTS+=("$port")
			TLS_PORT=$port
			log "TLS server $name on 127.0.0.1:$port (pid $pid, $*)"
			return 0
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	fail "could not start the TLS server $name: $(cat "$TLS_DIR/$name.log")"
}

# free_port: sets FREE_PORT to a port nothing listens on (for a server the
# scenario starts later).
free_port()
{
	local try

	for ((try = 0; try < 50; try++)); do
		FREE_PORT=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		port_open "$FREE_PORT" || return 0
	done
	fail "no free port found"
}

# put_legacy_off_policy URL INTERVAL: the Wine scenarios' enforce policy
# with TLS 1.0 kept nowhere and turned off (the legacy step), and URL as its
# only proof endpoint, probed every INTERVAL.
put_legacy_off_policy()
{
	sed -e 's/^  keep: \[ssl3, tls1.0\]/  keep: []/' \
		-e 's/^  disable: \[\]/  disable: [tls1.0]/' \
		"$WINE_DATA/enforce.yaml" | {
		cat
		printf 'proof:\n  endpoints:\n    - "%s"\n  interval: %s\n' "$1" "$2"
	} | put_policy -
	grep -q 'disable: \[tls1.0\]' "$POLICY_UNIX" ||
		fail "could not write the legacy-off policy"
}
