/* tlsward: every registry key, value and file name tlsward owns, spelled
 * once (NSSM's registry.h habit). Keys are HKLM-relative, in the 64-bit
 * view. */
#ifndef TLSR_NAMES_H
#define TLSR_NAMES_H

/* ---- the service ---- */
#define TLSR_SERVICE_NAME "tlsward"
#define TLSR_SERVICE_DISPLAY "tlsward TLS 1.2 remediation"
#define TLSR_EVENT_SOURCE "tlsward"
/* Custom service control: check now (`tlsward service control check-now`,
 * `sc control tlsward 128`). */
#define TLSR_CONTROL_CHECK_NOW 128

/* ---- keys ---- */
#define TLSR_KEY_ROOT "SOFTWARE\\tlsward"
#define TLSR_KEY_JOURNAL TLSR_KEY_ROOT "\\Journal"
#define TLSR_KEY_STATUS TLSR_KEY_ROOT "\\Status"
#define TLSR_KEY_PARAMETERS TLSR_KEY_ROOT "\\Parameters"
/* The restart-owed ledger (core/owed.c). */
#define TLSR_KEY_RESTART TLSR_KEY_ROOT "\\Restart"
/* Probe results (core/proof.c). */
#define TLSR_KEY_PROOF TLSR_KEY_ROOT "\\Proof"
/* Volatile: dropped at every boot; holds this boot's id. */
#define TLSR_KEY_BOOT_NAME "Boot"
#define TLSR_KEY_BOOT TLSR_KEY_ROOT "\\" TLSR_KEY_BOOT_NAME
#define TLSR_KEY_EVENT_SOURCE                                              \
	"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\"     \
	"tlsward"

/* ---- Parameters (written by the installer or `service install`) ---- */
#define TLSR_PARAM_POLICY_PATH "PolicyPath" /* REG_SZ or REG_EXPAND_SZ */
#define TLSR_PARAM_MODE "Mode"              /* "", "enforce" or "audit" */
/* The local floor and the policy key (policy/machine.c): the YAML text or
 * PEM itself (`service install --floor/--policy-key`), or the path of the
 * file (the MSI's FLOOR and POLICYKEY). */
#define TLSR_PARAM_FLOOR "Floor"
#define TLSR_PARAM_POLICY_KEY "PolicyKey"
/* The last signed policy accepted: its serial (REG_DWORD) and SHA-256
 * (hex), so that an older signed policy is refused as a replay. */
#define TLSR_PARAM_POLICY_SERIAL "PolicySerial"
#define TLSR_PARAM_POLICY_SHA256 "PolicySha256"

/* ---- Boot ---- */
#define TLSR_BOOT_ID "Id"
/* Under TLSR_KEY_ROOT: a random DWORD drawn once per machine (never per
 * boot), this machine's place in the restart window. */
#define TLSR_MACHINE_SEED "MachineSeed"

/* ---- Status (written only by service/status.c) ---- */
#define TLSR_ST_COMPLIANT "Compliant"
#define TLSR_ST_LAST_CHECK "LastCheck"
#define TLSR_ST_MODE "Mode"
#define TLSR_ST_POLICY_SOURCE "PolicySource"
#define TLSR_ST_POLICY_HASH "PolicyHash"
#define TLSR_ST_POLICY_CACHE_SOURCE "PolicyCacheSource"
#define TLSR_ST_BLOCKED "Blocked"
#define TLSR_ST_BLOCKED_REASONS "BlockedReasons"
#define TLSR_ST_RESTART_PENDING "RestartPending"
#define TLSR_ST_RESTART_OWED "RestartOwed"
#define TLSR_ST_RESTART_REASON "RestartReason"
#define TLSR_ST_RESTART_TIME "RestartTime"
#define TLSR_ST_RESTART_BOOT_ID "RestartBootId"
#define TLSR_ST_RESTART_ATTEMPT "RestartAttempt"
#define TLSR_ST_READY_FOR_SERVER_TLS12 "ReadyForServerTls12"
#define TLSR_ST_READY_FOR_SERVER "ReadyForServer"
#define TLSR_ST_TLS12_WINHTTP "Tls12WinHttp"
#define TLSR_ST_TLS12_SCHANNEL "Tls12Schannel"
#define TLSR_ST_TLS12_DOTNET "Tls12DotNet"
#define TLSR_ST_DRIFTS "Drifts"
#define TLSR_ST_REMEDIATIONS "Remediations"
#define TLSR_ST_CONFLICTS "Conflicts"
#define TLSR_ST_PASSES "Passes"
#define TLSR_ST_LAST_ERROR "LastError"
#define TLSR_ST_VERSION "Version"
#define TLSR_ST_RISKS "Risks"
#define TLSR_ST_RISK_CRITICAL "RiskCritical"
#define TLSR_ST_PROVEN "Proven"
#define TLSR_ST_PROOF_TIME "ProofTime"
#define TLSR_ST_PROOF_ENDPOINT "ProofEndpoint"
#define TLSR_ST_PROOF_PROTOCOL "ProofProtocol"
#define TLSR_ST_PROOF_RESULT "ProofResult"
#define TLSR_ST_PRIVATE_BYTES "PrivateBytes"
#define TLSR_ST_WORKING_SET "WorkingSet"

/* Every Status value the service writes, in the order `tlsward status`
 * shows them: X(name, label, kind) with kind BOOL, DWORD, TEXT, LIST
 * (REG_MULTI_SZ) or BYTES (REG_QWORD, a size in bytes). A value
 * status.c writes is listed here, so that `tlsward status` and the tests
 * that iterate over this list cannot miss it. */
#define TLSR_STATUS_VALUES(X)                                              \
	X(TLSR_ST_COMPLIANT, "compliant", BOOL)                            \
	X(TLSR_ST_LAST_CHECK, "last check", TEXT)                          \
	X(TLSR_ST_PASSES, "passes", DWORD)                                 \
	X(TLSR_ST_LAST_ERROR, "last error", TEXT)                          \
	X(TLSR_ST_MODE, "mode", TEXT)                                      \
	X(TLSR_ST_POLICY_SOURCE, "policy source", TEXT)                    \
	X(TLSR_ST_POLICY_HASH, "policy hash", TEXT)                        \
	X(TLSR_ST_POLICY_CACHE_SOURCE, "policy cache source", TEXT)        \
	X(TLSR_ST_BLOCKED, "blocked", BOOL)                                \
	X(TLSR_ST_BLOCKED_REASONS, "blocked reasons", TEXT)                \
	X(TLSR_ST_RESTART_PENDING, "restart pending", BOOL)                \
	X(TLSR_ST_RESTART_OWED, "restart owed by", LIST)                   \
	X(TLSR_ST_RESTART_REASON, "restart reason", TEXT)                  \
	X(TLSR_ST_RESTART_TIME, "restart time", TEXT)                      \
	X(TLSR_ST_RESTART_BOOT_ID, "restart boot id", TEXT)                \
	X(TLSR_ST_RESTART_ATTEMPT, "restart attempt", TEXT)                \
	X(TLSR_ST_READY_FOR_SERVER, "ready for server TLS 1.2 now", BOOL)  \
	X(TLSR_ST_READY_FOR_SERVER_TLS12, "ready for server TLS 1.2", BOOL) \
	X(TLSR_ST_TLS12_WINHTTP, "TLS 1.2 in WinHTTP", BOOL)               \
	X(TLSR_ST_TLS12_SCHANNEL, "TLS 1.2 in SChannel", BOOL)             \
	X(TLSR_ST_TLS12_DOTNET, "TLS 1.2 in .NET", BOOL)                   \
	X(TLSR_ST_RISK_CRITICAL, "critical risk", BOOL)                    \
	X(TLSR_ST_RISKS, "risks", LIST)                                    \
	X(TLSR_ST_DRIFTS, "drifts healed", DWORD)                          \
	X(TLSR_ST_REMEDIATIONS, "remediations", DWORD)                     \
	X(TLSR_ST_CONFLICTS, "conflicts", DWORD)                           \
	X(TLSR_ST_PROVEN, "proven on the wire", BOOL)                      \
	X(TLSR_ST_PROOF_TIME, "last proof", TEXT)                          \
	X(TLSR_ST_PROOF_ENDPOINT, "proof endpoint", TEXT)                  \
	X(TLSR_ST_PROOF_PROTOCOL, "proof protocol", TEXT)                  \
	X(TLSR_ST_PROOF_RESULT, "proof result", TEXT)                      \
	X(TLSR_ST_PRIVATE_BYTES, "private bytes", BYTES)                   \
	X(TLSR_ST_WORKING_SET, "working set", BYTES)                       \
	X(TLSR_ST_VERSION, "tlsward version", TEXT)

/* ---- files, in the data directory (%ProgramData%\tlsward) ---- */
#define TLSR_DATA_DIR_NAME "tlsward"
#define TLSR_FILE_POLICY "policy.yaml"
#define TLSR_FILE_POLICY_CACHE "policy.cache.yaml"
/* The signature of the cached policy, kept with it. */
#define TLSR_FILE_POLICY_CACHE_SIG "policy.cache.yaml.sig"
#define TLSR_FILE_EVENTS "events.jsonl"
#define TLSR_FILE_EVENTS_OLD "events.jsonl.1"
/* What the service's last `tlsward probe` printed. */
#define TLSR_FILE_PROBE_LOG "probe.txt"

#endif
