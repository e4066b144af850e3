/* tlsward: the Windows prober (probe.h). Two methods per endpoint:
 * - WinHTTP, as the Configuration Manager client makes its requests: a GET
 *   with the system's default protocols (WINHTTP_OPTION_SECURE_PROTOCOLS is
 *   never set, so DefaultSecureProtocols decides where WinHTTP reads it);
 * - SChannel through SSPI with default credentials (grbitEnabledProtocols
 *   0: the SCHANNEL\Protocols keys decide), as .NET does with
 *   SystemDefaultTlsVersions. The certificate is checked after the
 *   handshake, so a trust failure is told apart from a protocol failure.
 * SChannel reads its protocol keys once per process: the service runs this
 * in a child process so each probe sees the settings in force now. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#define SECURITY_WIN32
#include <schannel.h>
#include <security.h>
#include <sspi.h>
#include <wincrypt.h>
#include <winhttp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "wstr.h"

/* Not in every MinGW winhttp.h (Windows 10 1607 and later). */
#ifndef WINHTTP_OPTION_SECURITY_INFO
#define WINHTTP_OPTION_SECURITY_INFO 151
#endif
struct probe_winhttp_security_info {
	SecPkgContext_ConnectionInfo ConnectionInfo;
	SecPkgContext_CipherInfo CipherInfo;
};

#define WIDEN2(x) L##x
#define WIDEN(x) WIDEN2(x)
#define TIMEOUT_MS 10000
#define IO_MAX 32768

/* ---- texts ---- */

static const struct {
	unsigned long code;
	const char *text;
} known_errors[] = {
	{ERROR_WINHTTP_TIMEOUT, "ERROR_WINHTTP_TIMEOUT: the request timed out"},
	{ERROR_WINHTTP_NAME_NOT_RESOLVED,
	 "ERROR_WINHTTP_NAME_NOT_RESOLVED: the server name could not be "
	 "resolved"},
	{ERROR_WINHTTP_CANNOT_CONNECT,
	 "ERROR_WINHTTP_CANNOT_CONNECT: the connection to the server failed"},
	{ERROR_WINHTTP_CONNECTION_ERROR,
	 "ERROR_WINHTTP_CONNECTION_ERROR: the connection was reset or "
	 "closed"},
	{ERROR_WINHTTP_SECURE_CHANNEL_ERROR,
	 "ERROR_WINHTTP_SECURE_CHANNEL_ERROR: an error occurred in the "
	 "secure channel support (the TLS handshake failed)"},
	{ERROR_WINHTTP_SECURE_FAILURE,
	 "ERROR_WINHTTP_SECURE_FAILURE: the server's certificate is not "
	 "valid or the secure channel failed"},
	{ERROR_WINHTTP_SECURE_INVALID_CA,
	 "ERROR_WINHTTP_SECURE_INVALID_CA: the certificate chain ends in an "
	 "untrusted root"},
	{ERROR_WINHTTP_SECURE_CERT_CN_INVALID,
	 "ERROR_WINHTTP_SECURE_CERT_CN_INVALID: the certificate's name does "
	 "not match the host"},
	{ERROR_WINHTTP_SECURE_CERT_DATE_INVALID,
	 "ERROR_WINHTTP_SECURE_CERT_DATE_INVALID: the certificate has "
	 "expired or is not yet valid"},
	{ERROR_WINHTTP_SECURE_INVALID_CERT,
	 "ERROR_WINHTTP_SECURE_INVALID_CERT: the certificate is invalid"},
	{ERROR_WINHTTP_SECURE_CERT_REVOKED,
	 "ERROR_WINHTTP_SECURE_CERT_REVOKED: the certificate was revoked"},
	{ERROR_WINHTTP_SECURE_CERT_REV_FAILED,
	 "ERROR_WINHTTP_SECURE_CERT_REV_FAILED: the revocation check failed"},
	{ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE,
	 "ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE: the certificate is not for "
	 "server authentication"},
	{(unsigned long)SEC_E_ILLEGAL_MESSAGE,
	 "SEC_E_ILLEGAL_MESSAGE: the server sent a message that could not be "
	 "read, or an alert (it refused the protocols offered)"},
	{(unsigned long)SEC_E_ALGORITHM_MISMATCH,
	 "SEC_E_ALGORITHM_MISMATCH: client and server have no protocol or "
	 "cipher suite in common"},
	{(unsigned long)SEC_E_UNSUPPORTED_FUNCTION,
	 "SEC_E_UNSUPPORTED_FUNCTION: no protocol the client may offer is "
	 "enabled"},
	{(unsigned long)SEC_E_INTERNAL_ERROR,
	 "SEC_E_INTERNAL_ERROR: the TLS handshake failed inside SChannel"},
	{(unsigned long)SEC_E_NO_CREDENTIALS,
	 "SEC_E_NO_CREDENTIALS: no credentials are available to SChannel"},
	{(unsigned long)CERT_E_UNTRUSTEDROOT,
	 "CERT_E_UNTRUSTEDROOT: the certificate chain ends in a root that is "
	 "not trusted"},
	{(unsigned long)CERT_E_CN_NO_MATCH,
	 "CERT_E_CN_NO_MATCH: the certificate's name does not match the host"},
	{(unsigned long)CERT_E_EXPIRED,
	 "CERT_E_EXPIRED: the certificate has expired or is not yet valid"},
	{(unsigned long)CERT_E_CHAINING,
	 "CERT_E_CHAINING: the certificate chain could not be built to a "
	 "root"},
	{(unsigned long)CERT_E_WRONG_USAGE,
	 "CERT_E_WRONG_USAGE: the certificate is not for server "
	 "authentication"},
	{(unsigned long)CERT_E_REVOKED,
	 "CERT_E_REVOKED: the certificate was revoked"},
	{(unsigned long)TRUST_E_CERT_SIGNATURE,
	 "TRUST_E_CERT_SIGNATURE: the certificate's signature is not valid"},
	{WSAECONNREFUSED, "WSAECONNREFUSED: the server refused the connection"},
	{WSAETIMEDOUT, "WSAETIMEDOUT: the connection timed out"},
	{WSAECONNRESET, "WSAECONNRESET: the server reset the connection"},
	{WSAHOST_NOT_FOUND, "WSAHOST_NOT_FOUND: the host name is unknown"},
	{ERROR_HANDLE_EOF, "the server closed the connection during the TLS "
			   "handshake"},
};

/* The error's text: the system's or WinHTTP's message table, else the
 * name tlsward knows it by. */
static void error_text(unsigned long code, char *buf, size_t size)
{
	wchar_t w[512];
	HMODULE winhttp = GetModuleHandleW(L"winhttp.dll");
	DWORD n = 0;
	size_t i;

	for (i = 0; i < sizeof known_errors / sizeof known_errors[0]; i++) {
		if (known_errors[i].code == code) {
			snprintf(buf, size, "%s", known_errors[i].text);
			return;
		}
	}
	if (winhttp != NULL && code >= WINHTTP_ERROR_BASE &&
	    code <= WINHTTP_ERROR_LAST)
		n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE |
				       FORMAT_MESSAGE_IGNORE_INSERTS,
				   winhttp, (DWORD)code, 0, w,
				   sizeof w / sizeof w[0], NULL);
	if (n == 0)
		n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
				       FORMAT_MESSAGE_IGNORE_INSERTS,
				   NULL, (DWORD)code, 0, w,
				   sizeof w / sizeof w[0], NULL);
	while (n > 0 && (w[n - 1] == L'\r' || w[n - 1] == L'\n' ||
			 w[n - 1] == L' ' || w[n - 1] == L'.'))
		w[--n] = L'\0';
	if (n == 0 || WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)size,
					  NULL, NULL) <= 0)
		snprintf(buf, size, "error %lu (0x%08lX)", code, code);
}

static void set_error(struct tlsr_probe_method *m, enum tlsr_probe_status s,
		      unsigned long code)
{
	m->status = s;
	m->error = code;
	error_text(code, m->error_text, sizeof m->error_text);
}

static const char *protocol_name(DWORD proto)
{
	if (proto & SP_PROT_TLS1_3)
		return "tls1.3";
	if (proto & SP_PROT_TLS1_2)
		return "tls1.2";
	if (proto & SP_PROT_TLS1_1)
		return "tls1.1";
	if (proto & SP_PROT_TLS1_0)
		return "tls1.0";
	if (proto & SP_PROT_SSL3)
		return "ssl3";
	if (proto & SP_PROT_SSL2)
		return "ssl2";
	return "";
}

static const char *alg_name(ALG_ID alg)
{
	switch (alg) {
	case CALG_AES_128:
		return "AES-128";
	case CALG_AES_256:
		return "AES-256";
	case CALG_3DES:
		return "3DES";
	case CALG_RC4:
		return "RC4";
	case CALG_DES:
		return "DES";
	case CALG_SHA1:
		return "SHA1";
	case CALG_SHA_256:
		return "SHA256";
	case CALG_SHA_384:
		return "SHA384";
	case CALG_MD5:
		return "MD5";
	case CALG_RSA_KEYX:
		return "RSA";
	case CALG_DH_EPHEM:
		return "DHE";
	case CALG_ECDH:
	case CALG_ECDH_EPHEM:
		return "ECDHE";
	default:
		return NULL;
	}
}

/* Cipher suite text from SecPkgContext_CipherInfo when the OS fills it,
 * else from the algorithms of the connection info. */
static void cipher_text(const SecPkgContext_ConnectionInfo *ci,
			const SecPkgContext_CipherInfo *cs, char *buf,
			size_t size)
{
	const char *k, *c, *h;

	buf[0] = '\0';
	/* Wine names some suites only in part ("..._<unknown>"). */
	if (cs != NULL && cs->szCipherSuite[0] != L'\0' &&
	    wcschr(cs->szCipherSuite, L'<') == NULL &&
	    WideCharToMultiByte(CP_UTF8, 0, cs->szCipherSuite, -1, buf,
				(int)size, NULL, NULL) > 0)
		return;
	if (ci == NULL || ci->aiCipher == 0)
		return;
	k = alg_name(ci->aiExch);
	c = alg_name(ci->aiCipher);
	h = alg_name(ci->aiHash);
	snprintf(buf, size, "%s%s%s%s%s", k ? k : "", k ? "-" : "",
		 c ? c : "cipher", h ? "-" : "", h ? h : "");
	if (c == NULL)
		snprintf(buf, size, "cipher 0x%04X, hash 0x%04X, exchange "
				    "0x%04X",
			 (unsigned)ci->aiCipher, (unsigned)ci->aiHash,
			 (unsigned)ci->aiExch);
}

/* ---- WinHTTP ---- */

/* Flags of the last secure failure, from the status callback. */
static void CALLBACK secure_failure(HINTERNET h, DWORD_PTR ctx, DWORD status,
				    LPVOID info, DWORD len)
{
	(void)h;
	if (status == WINHTTP_CALLBACK_STATUS_SECURE_FAILURE && info != NULL &&
	    len >= sizeof(DWORD) && ctx != 0)
		*(DWORD *)ctx = *(DWORD *)info;
}

static int is_trust_error(unsigned long e)
{
	return e == ERROR_WINHTTP_SECURE_INVALID_CA ||
	       e == ERROR_WINHTTP_SECURE_CERT_CN_INVALID ||
	       e == ERROR_WINHTTP_SECURE_CERT_DATE_INVALID ||
	       e == ERROR_WINHTTP_SECURE_INVALID_CERT ||
	       e == ERROR_WINHTTP_SECURE_CERT_REVOKED ||
	       e == ERROR_WINHTTP_SECURE_CERT_REV_FAILED ||
	       e == ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE;
}

static int is_unreachable(unsigned long e)
{
	return e == ERROR_WINHTTP_NAME_NOT_RESOLVED ||
	       e == ERROR_WINHTTP_CANNOT_CONNECT ||
	       e == ERROR_WINHTTP_TIMEOUT;
}

#define SECURE_FAILURE_CERT_FLAGS                                              \
	(WINHTTP_CALLBACK_STATUS_FLAG_CERT_REV_FAILED |                        \
	 WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CERT |                           \
	 WINHTTP_CALLBACK_STATUS_FLAG_CERT_REVOKED |                           \
	 WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA |                             \
	 WINHTTP_CALLBACK_STATUS_FLAG_CERT_CN_INVALID |                        \
	 WINHTTP_CALLBACK_STATUS_FLAG_CERT_DATE_INVALID |                      \
	 WINHTTP_CALLBACK_STATUS_FLAG_CERT_WRONG_USAGE)

static void winhttp_once(const struct tlsr_url *u, int insecure,
			 struct tlsr_probe_method *m)
{
	HINTERNET session = NULL, conn = NULL, req = NULL;
	struct probe_winhttp_security_info si;
	DWORD failure = 0, code = 0, len, flags;
	wchar_t *host = tlsr_win_wide(u->host), *path = tlsr_win_wide(u->path);
	DWORD_PTR ctx = (DWORD_PTR)&failure;
	ULONGLONG t0 = GetTickCount64();
	unsigned long err;

	if (host == NULL || path == NULL) {
		set_error(m, TLSR_PROBE_ERROR, ERROR_NOT_ENOUGH_MEMORY);
		goto out;
	}
	/* The machine's WinHTTP proxy, as a service running as SYSTEM has
	 * it; no protocol option: the system default decides. */
	session = WinHttpOpen(L"tlsward-probe/" WIDEN(TLSR_PROJECT_VERSION),
			      WINHTTP_ACCESS_TYPE_DEFAULT_PROXY,
			      WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS,
			      0);
	if (session == NULL)
		goto fail;
	WinHttpSetTimeouts(session, TIMEOUT_MS, TIMEOUT_MS, TIMEOUT_MS,
			   TIMEOUT_MS);
	conn = WinHttpConnect(session, host, (INTERNET_PORT)u->port, 0);
	if (conn == NULL)
		goto fail;
	req = WinHttpOpenRequest(conn, L"GET", path, NULL, WINHTTP_NO_REFERER,
				 WINHTTP_DEFAULT_ACCEPT_TYPES,
				 WINHTTP_FLAG_SECURE);
	if (req == NULL)
		goto fail;
	WinHttpSetOption(req, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof ctx);
	WinHttpSetStatusCallback(req, secure_failure,
				 WINHTTP_CALLBACK_FLAG_SECURE_FAILURE, 0);
	if (insecure) {
		flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA |
			SECURITY_FLAG_IGNORE_CERT_DATE_INVALID |
			SECURITY_FLAG_IGNORE_CERT_CN_INVALID |
			SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE;
		WinHttpSetOption(req, WINHTTP_OPTION_SECURITY_FLAGS, &flags,
				 sizeof flags);
	}
	if (!WinHttpSendRequest(req, WINHTTP_NO_ADDITIONAL_HEADERS, 0,
				WINHTTP_NO_REQUEST_DATA, 0, 0, 0) ||
	    !WinHttpReceiveResponse(req, NULL))
		goto fail;
	len = sizeof code;
	if (WinHttpQueryHeaders(req,
				WINHTTP_QUERY_STATUS_CODE |
				    WINHTTP_QUERY_FLAG_NUMBER,
				WINHTTP_HEADER_NAME_BY_INDEX, &code, &len,
				WINHTTP_NO_HEADER_INDEX))
		m->http_status = (int)code;
	/* Any HTTP answer proves the handshake: the TLS layer got through. */
	m->status = TLSR_PROBE_OK;
	memset(&si, 0, sizeof si);
	len = sizeof si;
	if (WinHttpQueryOption(req, WINHTTP_OPTION_SECURITY_INFO, &si, &len)) {
		snprintf(m->protocol, sizeof m->protocol, "%s",
			 protocol_name(si.ConnectionInfo.dwProtocol));
		cipher_text(&si.ConnectionInfo, &si.CipherInfo, m->cipher,
			    sizeof m->cipher);
	}
	goto out;
fail:
	err = GetLastError();
	if (is_trust_error(err) ||
	    (err == ERROR_WINHTTP_SECURE_FAILURE &&
	     (failure & SECURE_FAILURE_CERT_FLAGS) &&
	     !(failure & WINHTTP_CALLBACK_STATUS_FLAG_SECURITY_CHANNEL_ERROR)))
		set_error(m, TLSR_PROBE_TRUST, err);
	else if (is_unreachable(err))
		set_error(m, TLSR_PROBE_UNREACHABLE, err);
	else if (session == NULL || conn == NULL || req == NULL)
		set_error(m, TLSR_PROBE_ERROR, err);
	else
		set_error(m, TLSR_PROBE_PROTOCOL, err);
out:
	m->ms = (unsigned long)(GetTickCount64() - t0);
	if (req != NULL)
		WinHttpCloseHandle(req);
	if (conn != NULL)
		WinHttpCloseHandle(conn);
	if (session != NULL)
		WinHttpCloseHandle(session);
	free(host);
	free(path);
}

/* WinHTTP does not always say that the certificate is what failed (Wine
 * reports ERROR_WINHTTP_SECURE_CHANNEL_ERROR for an untrusted root, and
 * Windows ERROR_WINHTTP_SECURE_FAILURE without the callback in some
 * cases). When the handshake fails that way, one more request with the
 * certificate checks off tells the two apart: if it gets through, the
 * protocol works and only trust failed. It sends no credentials. */
static void probe_winhttp(const struct tlsr_url *u, int insecure,
			  struct tlsr_probe_method *m)
{
	struct tlsr_probe_method again;
	size_t n;

	winhttp_once(u, insecure, m);
	if (insecure || m->status != TLSR_PROBE_PROTOCOL ||
	    (m->error != ERROR_WINHTTP_SECURE_CHANNEL_ERROR &&
	     m->error != ERROR_WINHTTP_SECURE_FAILURE))
		return;
	memset(&again, 0, sizeof again);
	winhttp_once(u, 1, &again);
	if (again.status != TLSR_PROBE_OK)
		return;
	m->status = TLSR_PROBE_TRUST;
	m->http_status = again.http_status;
	m->ms += again.ms;
	memcpy(m->protocol, again.protocol, sizeof m->protocol);
	memcpy(m->cipher, again.cipher, sizeof m->cipher);
	n = strlen(m->error_text);
	snprintf(m->error_text + n, sizeof m->error_text - n, "%s",
		 "; with certificate checks off the request gets through, so "
		 "the certificate is what failed");
}

/* ---- SChannel through SSPI ---- */

/* Connects with a deadline; INVALID_SOCKET with *err set on failure. */
static SOCKET tcp_connect(const struct tlsr_url *u, unsigned long *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	SOCKET s = INVALID_SOCKET;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	snprintf(port, sizeof port, "%u", u->port);
	rc = getaddrinfo(u->host, port, &hints, &res);
	if (rc != 0) {
		*err = (unsigned long)rc;
		return INVALID_SOCKET;
	}
	*err = WSAETIMEDOUT;
	for (ai = res; ai != NULL && s == INVALID_SOCKET; ai = ai->ai_next) {
		u_long nb = 1;
		fd_set wr, ex;
		struct timeval tv = {TIMEOUT_MS / 1000, 0};
		DWORD t = TIMEOUT_MS;
		int soerr = 0, sl = sizeof soerr;

		s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (s == INVALID_SOCKET) {
			*err = (unsigned long)WSAGetLastError();
			continue;
		}
		ioctlsocket(s, FIONBIO, &nb);
		rc = connect(s, ai->ai_addr, (int)ai->ai_addrlen);
		if (rc != 0 && WSAGetLastError() == WSAEWOULDBLOCK) {
			FD_ZERO(&wr);
			FD_ZERO(&ex);
			FD_SET(s, &wr);
			FD_SET(s, &ex);
			rc = select(0, NULL, &wr, &ex, &tv);
			if (rc == 1 && FD_ISSET(s, &wr) &&
			    getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&soerr,
				       &sl) == 0 &&
			    soerr == 0)
				rc = 0;
			else
				*err = rc == 0 ? WSAETIMEDOUT
					       : (unsigned long)(soerr ? soerr
								       : WSAECONNREFUSED);
			if (rc != 0)
				rc = -1;
		} else if (rc != 0) {
			*err = (unsigned long)WSAGetLastError();
		}
		if (rc != 0) {
			closesocket(s);
			s = INVALID_SOCKET;
			continue;
		}
		nb = 0;
		ioctlsocket(s, FIONBIO, &nb);
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&t,
			   sizeof t);
		setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, (const char *)&t,
			   sizeof t);
	}
	freeaddrinfo(res);
	return s;
}

static int send_all(SOCKET s, const void *buf, unsigned long len)
{
	const char *p = buf;

	while (len > 0) {
		int n = send(s, p, len > 0x7fffffff ? 0x7fffffff : (int)len, 0);

		if (n <= 0)
			return -1;
		p += n;
		len -= (unsigned long)n;
	}
	return 0;
}

/* Checks the server's certificate as a client would: chain to a trusted
 * root, for server authentication, with the host's name. 0 or the error. */
static unsigned long check_certificate(CtxtHandle *ctx, const char *host)
{
	PCCERT_CONTEXT cert = NULL;
	PCCERT_CHAIN_CONTEXT chain = NULL;
	CERT_CHAIN_PARA para;
	CERT_CHAIN_POLICY_PARA pp;
	CERT_CHAIN_POLICY_STATUS ps;
	SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl;
	LPSTR usage[] = {(LPSTR)szOID_PKIX_KP_SERVER_AUTH};
	wchar_t *whost = tlsr_win_wide(host);
	unsigned long rc;

	if (QueryContextAttributesW(ctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT,
				    &cert) != SEC_E_OK ||
	    cert == NULL) {
		rc = (unsigned long)SEC_E_CERT_UNKNOWN;
		goto out;
	}
	memset(&para, 0, sizeof para);
	para.cbSize = sizeof para;
	para.RequestedUsage.dwType = USAGE_MATCH_TYPE_AND;
	para.RequestedUsage.Usage.cUsageIdentifier = 1;
	para.RequestedUsage.Usage.rgpszUsageIdentifier = usage;
	if (!CertGetCertificateChain(NULL, cert, NULL, cert->hCertStore, &para,
				     0, NULL, &chain)) {
		rc = GetLastError();
		goto out;
	}
	memset(&ssl, 0, sizeof ssl);
	ssl.cbSize = sizeof ssl;
	ssl.dwAuthType = AUTHTYPE_SERVER;
	ssl.pwszServerName = whost;
	memset(&pp, 0, sizeof pp);
	pp.cbSize = sizeof pp;
	pp.pvExtraPolicyPara = &ssl;
	memset(&ps, 0, sizeof ps);
	ps.cbSize = sizeof ps;
	if (!CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, chain, &pp,
					      &ps))
		rc = GetLastError();
	else
		rc = ps.dwError;
out:
	if (chain != NULL)
		CertFreeCertificateChain(chain);
	if (cert != NULL)
		CertFreeCertificateContext(cert);
	free(whost);
	return rc;
}

/* The handshake loop of an SSPI client; SEC_E_OK or the failure. A
 * connection the server closes mid-handshake is ERROR_HANDLE_EOF. */
static SECURITY_STATUS handshake(SOCKET s, CredHandle *cred, CtxtHandle *ctx,
				 int *have_ctx, const char *host)
{
	DWORD req = ISC_REQ_SEQUENCE_DETECT | ISC_REQ_REPLAY_DETECT |
		    ISC_REQ_CONFIDENTIALITY | ISC_REQ_ALLOCATE_MEMORY |
		    ISC_REQ_STREAM | ISC_REQ_MANUAL_CRED_VALIDATION;
	wchar_t *target = tlsr_win_wide(host);
	char *buf = malloc(IO_MAX);
	unsigned long have = 0;
	SECURITY_STATUS st;
	DWORD attrs;

	if (target == NULL || buf == NULL) {
		st = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	for (;;) {
		SecBuffer inb[2], outb[1];
		SecBufferDesc in = {SECBUFFER_VERSION, 2, inb};
		SecBufferDesc out = {SECBUFFER_VERSION, 1, outb};

		inb[0].BufferType = SECBUFFER_TOKEN;
		inb[0].pvBuffer = buf;
		inb[0].cbBuffer = have;
		inb[1].BufferType = SECBUFFER_EMPTY;
		inb[1].pvBuffer = NULL;
		inb[1].cbBuffer = 0;
		outb[0].BufferType = SECBUFFER_TOKEN;
		outb[0].pvBuffer = NULL;
		outb[0].cbBuffer = 0;
		st = InitializeSecurityContextW(
		    cred, *have_ctx ? ctx : NULL, target, req, 0, 0,
		    *have_ctx ? &in : NULL, 0, ctx, &out, &attrs, NULL);
		if (!*have_ctx && (st == SEC_E_OK ||
				   st == SEC_I_CONTINUE_NEEDED ||
				   st == SEC_E_INCOMPLETE_MESSAGE))
			*have_ctx = 1;
		if (outb[0].pvBuffer != NULL) {
			int sent = outb[0].cbBuffer == 0 ||
				   send_all(s, outb[0].pvBuffer,
					    outb[0].cbBuffer) == 0;

			FreeContextBuffer(outb[0].pvBuffer);
			if (!sent) {
				st = (SECURITY_STATUS)ERROR_HANDLE_EOF;
				goto out;
			}
		}
		if (st == SEC_E_OK)
			goto out;
		if (st == SEC_I_CONTINUE_NEEDED || st == SEC_E_INCOMPLETE_MESSAGE) {
			if (st == SEC_I_CONTINUE_NEEDED) {
				if (inb[1].BufferType == SECBUFFER_EXTRA &&
				    inb[1].cbBuffer > 0 &&
				    inb[1].cbBuffer <= have) {
					memmove(buf,
						buf + have - inb[1].cbBuffer,
						inb[1].cbBuffer);
					have = inb[1].cbBuffer;
				} else {
					have = 0;
				}
				/* The first call has no input; more input
				 * is needed only when nothing is left. */
				if (have > 0)
					continue;
			}
			if (have >= IO_MAX) {
				st = SEC_E_ILLEGAL_MESSAGE;
				goto out;
			}
			{
				int n = recv(s, buf + have, (int)(IO_MAX - have),
					     0);

				if (n <= 0) {
					st = n == 0 ? (SECURITY_STATUS)
							  ERROR_HANDLE_EOF
						    : (SECURITY_STATUS)
							  WSAGetLastError();
					goto out;
				}
				have += (unsigned long)n;
			}
			continue;
		}
		goto out; /* a failure */
	}
out:
	free(target);
	free(buf);
	return st;
}

static void probe_schannel(const struct tlsr_url *u, int insecure,
			   struct tlsr_probe_method *m)
{
	SCHANNEL_CRED sc;
	CredHandle cred;
	CtxtHandle ctx;
	SecPkgContext_ConnectionInfo ci;
	SecPkgContext_CipherInfo cs;
	ULONGLONG t0 = GetTickCount64();
	SECURITY_STATUS st;
	unsigned long err = 0;
	int have_cred = 0, have_ctx = 0;
	SOCKET s;

	s = tcp_connect(u, &err);
	if (s == INVALID_SOCKET) {
		set_error(m, TLSR_PROBE_UNREACHABLE, err);
		goto out;
	}
	/* Default credentials: no protocols named, so the SCHANNEL\Protocols
	 * keys decide; the certificate is checked below, by tlsward. */
	memset(&sc, 0, sizeof sc);
	sc.dwVersion = SCHANNEL_CRED_VERSION;
	sc.dwFlags = SCH_CRED_MANUAL_CRED_VALIDATION | SCH_CRED_NO_DEFAULT_CREDS;
	st = AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)UNISP_NAME_W,
				       SECPKG_CRED_OUTBOUND, NULL, &sc, NULL,
				       NULL, &cred, NULL);
	if (st != SEC_E_OK) {
		set_error(m, TLSR_PROBE_ERROR, (unsigned long)st);
		goto out;
	}
	have_cred = 1;
	st = handshake(s, &cred, &ctx, &have_ctx, u->host);
	if (st != SEC_E_OK) {
		set_error(m, TLSR_PROBE_PROTOCOL, (unsigned long)st);
		goto out;
	}
	m->status = TLSR_PROBE_OK;
	memset(&ci, 0, sizeof ci);
	if (QueryContextAttributesW(&ctx, SECPKG_ATTR_CONNECTION_INFO, &ci) ==
	    SEC_E_OK)
		snprintf(m->protocol, sizeof m->protocol, "%s",
			 protocol_name(ci.dwProtocol));
	memset(&cs, 0, sizeof cs);
	cs.dwVersion = SECPKGCONTEXT_CIPHERINFO_V1;
	cipher_text(&ci,
		    QueryContextAttributesW(&ctx, SECPKG_ATTR_CIPHER_INFO,
					    &cs) == SEC_E_OK
			? &cs
			: NULL,
		    m->cipher, sizeof m->cipher);
	if (!insecure) {
		err = check_certificate(&ctx, u->host);
		if (err != 0)
			set_error(m, TLSR_PROBE_TRUST, err);
	}
out:
	m->ms = (unsigned long)(GetTickCount64() - t0);
	if (have_ctx)
		DeleteSecurityContext(&ctx);
	if (have_cred)
		FreeCredentialsHandle(&cred);
	if (s != INVALID_SOCKET)
		closesocket(s);
}

static void run(void *data, const struct tlsr_url *u, int insecure,
		struct tlsr_probe_endpoint *out)
{
	WSADATA wsa;

	(void)data;
	if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
		set_error(&out->schannel, TLSR_PROBE_ERROR,
			  (unsigned long)WSAGetLastError());
	} else {
		probe_schannel(u, insecure, &out->schannel);
		WSACleanup();
	}
	probe_winhttp(u, insecure, &out->winhttp);
}

static const struct tlsr_prober win_prober = {run, NULL};

static void win_error(DWORD code, const char *what, char *why, size_t size)
{
	char text[256];

	error_text(code, text, sizeof text);
	snprintf(why, size, "%s: %s", what, text);
}

int tlsr_probe_child(const struct tlsr_policy *p, const char *log_path,
		     void *stop, char *why, size_t size)
{
	wchar_t exe[MAX_PATH], *cmd = NULL, *wlog = NULL;
	SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;
	HANDLE out = INVALID_HANDLE_VALUE, nul = INVALID_HANDLE_VALUE, h[2];
	DWORD n, w, code = 0, deadline;
	size_t len, i;
	int rc = -1;

	n = GetModuleFileNameW(NULL, exe, MAX_PATH);
	if (n == 0 || n >= MAX_PATH) {
		win_error(GetLastError(), "cannot find tlsward.exe", why, size);
		return -1;
	}
	/* "EXE" probe --record "URL"...: URLs hold no quotes or spaces
	 * (tlsr_url_parse). */
	len = wcslen(exe) + 32;
	for (i = 0; i < p->proof.n_endpoints; i++)
		len += strlen(p->proof.endpoints[i]) + 3;
	cmd = calloc(len, sizeof *cmd);
	if (cmd == NULL) {
		snprintf(why, size, "out of memory");
		return -1;
	}
	swprintf(cmd, len, L"\"%ls\" probe --record", exe);
	for (i = 0; i < p->proof.n_endpoints; i++) {
		wchar_t *u = tlsr_win_wide(p->proof.endpoints[i]);

		if (u == NULL) {
			snprintf(why, size, "out of memory");
			goto out;
		}
		wcscat(cmd, L" \"");
		wcscat(cmd, u);
		wcscat(cmd, L"\"");
		free(u);
	}
	wlog = tlsr_win_wide(log_path);
	if (wlog != NULL)
		out = CreateFileW(wlog, GENERIC_WRITE, FILE_SHARE_READ, &sa,
				  CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	if (out == INVALID_HANDLE_VALUE)
		out = CreateFileW(L"NUL", GENERIC_WRITE, 0, &sa, OPEN_EXISTING,
				  0, NULL);
	nul = CreateFileW(L"NUL", GENERIC_READ, 0, &sa, OPEN_EXISTING, 0,
			  NULL);
	memset(&si, 0, sizeof si);
	si.cb = sizeof si;
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = nul;
	si.hStdOutput = out;
	si.hStdError = out;
	if (!CreateProcessW(exe, cmd, NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL,
			    NULL, &si, &pi)) {
		win_error(GetLastError(), "cannot start tlsward probe", why,
			  size);
		goto out;
	}
	CloseHandle(pi.hThread);
	deadline = 30000u + 25000u * (DWORD)p->proof.n_endpoints;
	n = 0;
	h[n++] = pi.hProcess;
	if (stop != NULL)
		h[n++] = (HANDLE)stop;
	w = WaitForMultipleObjects(n, h, FALSE, deadline);
	if (w == WAIT_OBJECT_0 && GetExitCodeProcess(pi.hProcess, &code)) {
		rc = (int)code;
	} else {
		TerminateProcess(pi.hProcess, 1);
		WaitForSingleObject(pi.hProcess, 5000);
		snprintf(why, size, "%s",
			 w == WAIT_TIMEOUT ? "tlsward probe did not finish "
					     "in time and was ended"
					   : "tlsward probe was ended: the "
					     "service is stopping");
	}
	CloseHandle(pi.hProcess);
out:
	if (out != INVALID_HANDLE_VALUE)
		CloseHandle(out);
	if (nul != INVALID_HANDLE_VALUE)
		CloseHandle(nul);
	free(wlog);
	free(cmd);
	return rc;
}

const struct tlsr_prober *tlsr_platform_prober(void)
{
	return &win_prober;
}
