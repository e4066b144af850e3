-- tlsward reports for the Configuration Manager site database (CM_<site>),
-- on the hardware inventory view v_GS_TLSWARD_STATUS0 created by
-- tlsward-status-import.mof. Run in SQL Server Management Studio, or paste
-- into a report (SSRS) dataset. Set @Collection to the collection of
-- clients that talk to the servers you plan to move to TLS 1.2 only.

DECLARE @Collection nvarchar(8) = N'SMS00001';  -- All Systems

-- 1. The clients-first rule, made measurable: how far the client estate is.
--    Servers may drop TLS 1.0/1.1 only when NotReady + NoData is 0.
SELECT
	COUNT(*)                                                     AS Clients,
	SUM(CASE WHEN s.ReadyForServerTls120 = 1 THEN 1 ELSE 0 END)  AS Ready,
	SUM(CASE WHEN s.ResourceID IS NOT NULL
	          AND ISNULL(s.ReadyForServerTls120, 0) <> 1 THEN 1 ELSE 0 END) AS NotReady,
	SUM(CASE WHEN s.ResourceID IS NULL THEN 1 ELSE 0 END)        AS NoData,
	CAST(100.0 * SUM(CASE WHEN s.ReadyForServerTls120 = 1 THEN 1 ELSE 0 END)
	     / NULLIF(COUNT(*), 0) AS decimal(5, 1))                 AS PercentReady
FROM v_FullCollectionMembership AS m
JOIN v_R_System AS r ON r.ResourceID = m.ResourceID
LEFT JOIN v_GS_TLSWARD_STATUS0 AS s ON s.ResourceID = m.ResourceID
WHERE m.CollectionID = @Collection
  AND r.Client0 = 1
  AND r.Operating_System_Name_and0 LIKE N'%Workstation%';

-- 2. Ready for server-side TLS 1.2.
SELECT r.Netbios_Name0 AS Computer, s.Version0 AS tlswardVersion, s.Mode0 AS Mode,
       s.LastCheck0 AS LastCheck, s.PolicyHash0 AS PolicyHash
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_R_System AS r ON r.ResourceID = s.ResourceID
JOIN v_FullCollectionMembership AS m ON m.ResourceID = s.ResourceID
WHERE m.CollectionID = @Collection
  AND s.ReadyForServerTls120 = 1
ORDER BY r.Netbios_Name0;

-- 3. Blocked by a missing prerequisite (KB3140245, .NET level, ...): these
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

-- 4. Waiting on the restart that activates the settings.
SELECT r.Netbios_Name0 AS Computer, s.RestartReason0 AS RestartReason,
       s.RestartTime0 AS RestartScheduledFor, s.LastCheck0 AS LastCheck
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_R_System AS r ON r.ResourceID = s.ResourceID
JOIN v_FullCollectionMembership AS m ON m.ResourceID = s.ResourceID
WHERE m.CollectionID = @Collection
  AND s.RestartPending0 = 1
ORDER BY s.RestartTime0;

-- 5. Blocking reasons ranked: what to fix first for the most clients.
SELECT s.BlockedReasons0 AS BlockedReasons, COUNT(*) AS Clients
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_FullCollectionMembership AS m ON m.ResourceID = s.ResourceID
WHERE m.CollectionID = @Collection
  AND s.Blocked0 = 1
GROUP BY s.BlockedReasons0
ORDER BY COUNT(*) DESC;

-- 6. Tug-of-war: clients where something keeps reverting values (many
--    drifts), usually a Group Policy preference or another tool.
SELECT TOP 50 r.Netbios_Name0 AS Computer, s.Drifts0 AS Drifts,
       s.Remediations0 AS Remediations, s.Mode0 AS Mode
FROM v_GS_TLSWARD_STATUS0 AS s
JOIN v_R_System AS r ON r.ResourceID = s.ResourceID
WHERE s.Drifts0 > 10
ORDER BY s.Drifts0 DESC;
