-- tlsward reports for the Configuration Manager site database (CM_<site>),
-- on the hardware inventory view v_GS_TLSWARD_STATUS0 created by
-- tlsward-status-import.mof. Run in SQL Server Management Studio, or paste
-- into a report (SSRS) dataset. Set @Collection to the collection of
-- clients that talk to the servers you plan to move to TLS 1.2 only.
--
-- Ready for server-side TLS 1.2 means ReadyForServer0 = 1 (the service
-- sets it only when TLS 1.2 holds in WinHTTP, SChannel and .NET, no change
-- waits for a restart, no critical risk exists and, with a proof section,
-- Proven0 = 1), and, checked here again, RestartPending0 and RiskCritical0
-- not 1 (NULL, an absent value, counts as 0). An older tlsward that does not
-- write ReadyForServer is never counted as ready. Multi-string values
-- (RestartOwed0, Risks0) hold their lines joined with commas.

DECLARE @Collection nvarchar(8) = N'SMS00001';  -- All Systems

-- 1. The clients-first rule, made measurable: how far the client estate is.
--    Servers may drop TLS 1.0/1.1 only when NotReady + NoData is 0.
SELECT
	COUNT(*)                                                     AS Clients,
	SUM(CASE WHEN s.ReadyForServer0 = 1
	          AND ISNULL(s.RestartPending0, 0) = 0
	          AND ISNULL(s.RiskCritical0, 0) = 0 THEN 1 ELSE 0 END) AS Ready,
	SUM(CASE WHEN s.ResourceID IS NOT NULL
	          AND NOT (ISNULL(s.ReadyForServer0, 0) = 1
	                   AND ISNULL(s.RestartPending0, 0) = 0
	                   AND ISNULL(s.RiskCritical0, 0) = 0) THEN 1 ELSE 0 END) AS NotReady,
	SUM(CASE WHEN ISNULL(s.RiskCritical0, 0) = 1 THEN 1 ELSE 0 END) AS CriticalRisk,
	SUM(CASE WHEN ISNULL(s.RestartPending0, 0) = 1 THEN 1 ELSE 0 END) AS WaitingOnRestart,
	SUM(CASE WHEN s.ResourceID IS NULL THEN 1 ELSE 0 END)        AS NoData,
	CAST(100.0 * SUM(CASE WHEN s.ReadyForServer0 = 1
	                       AND ISNULL(s.RestartPending0, 0) = 0
	                       AND ISNULL(s.RiskCritical0, 0) = 0 THEN 1 ELSE 0 END)
	     / NULLIF(COUNT(*), 0) AS decimal(5, 1))                 AS PercentReady
FROM v_FullCollectionMembership AS m
JOIN v_R_System AS r ON r.ResourceID = m.ResourceID
LEFT JOIN v_GS_TLSWARD_STATUS0 AS s ON s.ResourceID = m.ResourceID
WHERE m.CollectionID = @Collection
  AND r.Client0 = 1
  AND r.Operating_System_Name_and0 LIKE N'%Workstation%';

-- 2. Ready for server-side TLS 1.2, with the proof that backs it.
SELECT r.Netbios_Name0 AS Computer, s.Version0 AS tlswardVersion, s.Mode0 AS Mode,
       s.LastCheck0 AS LastCheck, s.PolicyHash0 AS PolicyHash,
       s.Proven0 AS Proven, s.ProofTime0 AS ProofTime, s.ProofProtocol0 AS ProofProtocol
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_R_System AS r ON r.ResourceID = s.ResourceID
JOIN v_FullCollectionMembership AS m ON m.ResourceID = s.ResourceID
WHERE m.CollectionID = @Collection
  AND s.ReadyForServer0 = 1
  AND ISNULL(s.RestartPending0, 0) = 0
  AND ISNULL(s.RiskCritical0, 0) = 0
ORDER BY r.Netbios_Name0;

-- 3. Critical risk: these clients are cut off at their next restart (a
--    legacy protocol is already off while TLS 1.2 does not work yet;
--    `tlsward check` exits 5 there). Fix them before they restart.
SELECT r.Netbios_Name0 AS Computer, s.Risks0 AS Risks,
       s.Tls12WinHttp0 AS WinHttp, s.Tls12Schannel0 AS Schannel,
       s.RestartPending0 AS RestartPending, s.LastCheck0 AS LastCheck
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_R_System AS r ON r.ResourceID = s.ResourceID
JOIN v_FullCollectionMembership AS m ON m.ResourceID = s.ResourceID
WHERE m.CollectionID = @Collection
  AND s.RiskCritical0 = 1
ORDER BY r.Netbios_Name0;

-- 4. Blocked by a missing prerequisite (KB3140245, .NET level, ...): these
--    need a software update or an OS fix before tlsward can finish.
SELECT r.Netbios_Name0 AS Computer, s.BlockedReasons0 AS BlockedReasons,
       s.Tls12WinHttp0 AS WinHttp, s.Tls12Schannel0 AS Schannel, s.Tls12DotNet0 AS DotNet,
       s.LastCheck0 AS LastCheck
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_R_System AS r ON r.ResourceID = s.ResourceID
JOIN v_FullCollectionMembership AS m ON m.ResourceID = s.ResourceID
WHERE m.CollectionID = @Collection
  AND s.Blocked0 = 1
ORDER BY s.BlockedReasons0, r.Netbios_Name0;

-- 5. Waiting on the restart that activates the settings: what waits
--    (RestartOwed), why and when the restart is planned.
SELECT r.Netbios_Name0 AS Computer, s.RestartOwed0 AS RestartOwed,
       s.RestartReason0 AS RestartReason, s.RestartTime0 AS RestartScheduledFor,
       s.LastCheck0 AS LastCheck
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_R_System AS r ON r.ResourceID = s.ResourceID
JOIN v_FullCollectionMembership AS m ON m.ResourceID = s.ResourceID
WHERE m.CollectionID = @Collection
  AND s.RestartPending0 = 1
ORDER BY s.RestartTime0;

-- 6. Not proven: a TLS 1.2 proof ran since the last boot and did not
--    succeed for every endpoint. ProofResult says why, for which endpoint.
SELECT r.Netbios_Name0 AS Computer, s.ProofEndpoint0 AS ProofEndpoint,
       s.ProofResult0 AS ProofResult, s.ProofProtocol0 AS ProofProtocol,
       s.ProofTime0 AS ProofTime
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_R_System AS r ON r.ResourceID = s.ResourceID
JOIN v_FullCollectionMembership AS m ON m.ResourceID = s.ResourceID
WHERE m.CollectionID = @Collection
  AND ISNULL(s.ProofTime0, N'') <> N''
  AND ISNULL(s.Proven0, 0) <> 1
ORDER BY s.ProofResult0, r.Netbios_Name0;

-- 7. Blocking reasons ranked: what to fix first for the most clients.
SELECT s.BlockedReasons0 AS BlockedReasons, COUNT(*) AS Clients
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_FullCollectionMembership AS m ON m.ResourceID = s.ResourceID
WHERE m.CollectionID = @Collection
  AND s.Blocked0 = 1
GROUP BY s.BlockedReasons0
ORDER BY COUNT(*) DESC;

-- 8. Risks of every severity, ranked: warnings (FIPS mode, a cipher suite
--    order without a usable TLS 1.2 suite, ...) and information.
SELECT s.Risks0 AS Risks, COUNT(*) AS Clients
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_FullCollectionMembership AS m ON m.ResourceID = s.ResourceID
WHERE m.CollectionID = @Collection
  AND ISNULL(s.Risks0, N'') <> N''
GROUP BY s.Risks0
ORDER BY COUNT(*) DESC;

-- 9. Tug-of-war: clients where something keeps reverting values (many
--    drifts), usually a Group Policy preference or another tool.
SELECT TOP 50 r.Netbios_Name0 AS Computer, s.Drifts0 AS Drifts,
       s.Remediations0 AS Remediations, s.Mode0 AS Mode
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_R_System AS r ON r.ResourceID = s.ResourceID
WHERE s.Drifts0 > 10
ORDER BY s.Drifts0 DESC;
