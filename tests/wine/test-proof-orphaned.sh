#!/usr/bin/env bash
# Scenario: the orphaned Windows 7 client, reproduced and fixed. A TLS
# 1.2-only "management point" (openssl s_server on 127.0.0.1) and a prefix
# with Windows 7's SChannel default for the TLS 1.2 client
# (DisabledByDefault=1): `tlsward probe` fails there, naming the Windows
# error. The service remediates, its own probe (a child process) proves TLS
# 1.2 (event 4000, Status Proof* values), and a new `tlsward probe` reports
# TLS 1.2. Also shown: an untrusted certificate is reported as a trust
# error, not a protocol failure; an endpoint nobody listens on is "not
# reached" (exit 3); --record keeps the result under SOFTWARE\tlsward\Proof.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/proof-lib.sh"

boot_prefix win7
start_tls_server tls12 -tls1_2
URL12="https://127.0.0.1:$TLS_PORT/SMS_MP/.sms_aut?mplist"

log "Wine's own default (TLS 1.2 on): proven, the certificate untrusted"
run_cli probe --format json "$URL12"
assert_eq 0 "$RC" "probe exit code with TLS 1.2 on: $OUT"
assert_match '"proven": true' "$OUT" "probe JSON"
assert_match '"schannel": \{"result": "trust", "error": 2148204809, "error_text": "CERT_E_UNTRUSTEDROOT[^"]*", "protocol": "tls1.2", "cipher": "[^"]+"' \
	"$OUT" "SChannel: TLS 1.2 negotiated, the untrusted root reported as a trust error"
assert_match '"winhttp": \{"result": "trust"' "$OUT" \
	"WinHTTP: the certificate failure told apart from a protocol failure"
run_cli probe --insecure "$URL12"
assert_eq 0 "$RC" "probe --insecure exit code: $OUT"
assert_match 'WinHTTP +ok .*HTTP 200' "$OUT" "WinHTTP with --insecure"
assert_match 'SChannel +ok +protocol tls1\.2' "$OUT" "SChannel with --insecure"

log "Windows 7's default: TLS 1.2 client DisabledByDefault=1"
reg_set "$K_TLS12_CLIENT" DisabledByDefault REG_DWORD 1
run_cli probe "$URL12"
assert_eq 1 "$RC" "probe exit code of the cut-off client: $OUT"
assert_match 'NOT proven' "$OUT" "probe verdict of the cut-off client"
assert_match 'WinHTTP +protocol .*' "$OUT" "WinHTTP result of the cut-off client"
assert_match 'error 12157 \(0x00002F7D\): ERROR_WINHTTP_SECURE_CHANNEL_ERROR' \
	"$OUT" "the Windows error and its text"
assert_match 'SChannel +protocol ' "$OUT" "SChannel result of the cut-off client"

log "--record keeps the failure"
run_cli probe --record "$URL12"
assert_eq 1 "$RC" "probe --record exit code: $OUT"
rec=$(reg_sz 'SOFTWARE\tlsward\Proof' "$URL12")
assert_match '^failed\|\|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\|[^|]*\|WinHTTP: TLS handshake failed \(12157' \
	"$rec" "the kept proof record"

log "nobody listening: not reached"
run_cli probe "https://127.0.0.1:1/"
assert_eq 3 "$RC" "probe exit code for a closed port: $OUT"
assert_match 'WinHTTP +unreachable' "$OUT" "WinHTTP on a closed port"

log "the service remediates; its probe (a child process) proves TLS 1.2"
{
	cat "$WINE_DATA/enforce.yaml"
	printf 'proof:\n  endpoints:\n    - "%s"\n  interval: 1h\n' "$URL12"
} | put_policy -
install_service
wait_dword "$K_TLS12_CLIENT" DisabledByDefault 64 0x0 30
wait_event 4000 60
line=$(events 4000)
assert_eq "$URL12" "$(json_field endpoint <<<"$line")" "endpoint of event 4000"
assert_eq tls1.2 "$(json_field protocol <<<"$line")" "protocol of event 4000"
wait_trace 4000 information 10
assert_eq 0 "$(event_count 4001)" "proof failure events (the service proved after remediating)"
assert_eq 0x1 "$(reg_dword "$K_STATUS" Proven)" "Status Proven"
assert_eq "$URL12" "$(reg_sz "$K_STATUS" ProofEndpoint)" "Status ProofEndpoint"
assert_eq tls1.2 "$(reg_sz "$K_STATUS" ProofProtocol)" "Status ProofProtocol"
assert_eq proven "$(reg_sz "$K_STATUS" ProofResult)" "Status ProofResult"
assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
	"$(reg_sz "$K_STATUS" ProofTime)" "Status ProofTime"
assert_match '^proven\|tls1\.2\|' "$(reg_sz 'SOFTWARE\tlsward\Proof' "$URL12")" \
	"the kept proof record"
run_cli status
assert_match 'proven on the wire +yes' "$OUT" "tlsward status: proven"
assert_match 'proof protocol +tls1\.2' "$OUT" "tlsward status: protocol"

log "the client talks TLS 1.2 again"
run_cli probe "$URL12"
assert_eq 0 "$RC" "probe exit code after tlsward: $OUT"
assert_match 'proven \(tls1\.2\)' "$OUT" "probe verdict after tlsward"
assert_match 'SChannel +trust +protocol tls1\.2' "$OUT" "SChannel after tlsward"
pass
