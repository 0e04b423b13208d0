import PMProto

/// Requests with content, for seed corpora: enough for a fuzzer to start past the validation.
enum Samples {
    static let readings = (0..<3).map { index in
        Reading(
            equipmentID: 1, timestampMs: 1_700_000_000_000 + Int64(index) * 1000, temperature: 70 + Double(index), vibration: 2.5,
            pressure: 101, powerConsumption: 15, efficiency: 91, readingID: "sample-\(index)")
    }

    static let requests: [any ProtoMessage] = [
        RegisterEquipmentRequest(equipment: Equipment(name: "Pump 9", type: "pump", location: "Hall 2", installDate: "2024-01-15")),
        GetEquipmentRequest(equipmentID: 1),
        ListEquipmentRequest(limit: 10, afterID: 1),
        UpdateEquipmentRequest(equipmentID: 2, location: "Hall 3"),
        RecordReadingsRequest(readings: readings),
        RecordReadingsRequest(
            columns: ReadingColumns(
                equipmentID: [1, 2], timestampMs: [1_700_000_000_000, 1_700_000_001_000], temperature: [70, 71], vibration: [2, 3],
                pressure: [100, 101], powerConsumption: [15, 16], efficiency: [90, 91])),
        QueryReadingsRequest(equipmentID: 1, fromMs: 1_600_000_000_000, toMs: 1_800_000_000_000, limit: 100),
        QueryReadingsRequest(equipmentID: 1, fromMs: 1_600_000_000_000, toMs: 1_800_000_000_000, buckets: 20),
        LatestReadingsRequest(equipmentIDs: [1, 2], perEquipment: 5),
        StreamReadingsRequest(afterSequence: 0, shardCount: 2, shardIndex: 1),
        ReadingStatsRequest(sinceMs: 1_600_000_000_000),
        EquipmentStatsRequest(),
        raiseAlert,
        ListAlertsRequest(acknowledged: false, minSeverity: .warning, equipmentID: 1, limit: 10),
        GetAlertRequest(alertID: 1),
        AcknowledgeAlertRequest(alertID: 1, by: "fuzz", note: "seen"),
        ResolveAlertRequest(alertID: 1, by: "fuzz"),
        WatchAlertsRequest(afterSequence: 0),
        createSilence,
        ListSilencesRequest(equipmentID: 1, includeEnded: true),
        DeleteSilenceRequest(key: "fuzz-silence"),
        CreateTaskRequest(
            equipmentID: 1, task: "Replace hydraulic seals", scheduledDate: "2026-12-20", priority: .high, idempotencyKey: "k"),
        GetTaskRequest(taskID: 1),
        ListTasksRequest(
            equipmentID: 1, status: .pending, fromDate: "2026-12-01", toDate: "2026-12-31", limit: 10, pageToken: "2026-12-05|3"),
        UpdateTaskRequest(taskID: 1, scheduledDate: "2026-12-22", priority: .critical, notes: "order seals"),
        UpdateTaskStatusRequest(taskID: 1, status: .inProgress, note: "started"),
        DeleteTaskRequest(taskID: 1),
        ScheduleStatsRequest(today: "2026-12-08"),
        CreatePreventiveRuleRequest(
            rule: PreventiveRule(equipmentType: "pump", task: "Lubricate bearings", intervalDays: 30, firstDueDate: "2026-12-20"),
            idempotencyKey: "r"),
        ListPreventiveRulesRequest(equipmentType: "pump"),
        DeletePreventiveRuleRequest(ruleID: 1),
        DashboardStatsRequest(),
        ScoreRequest(readings: readings),
        ModelInfoRequest(equipmentID: 1),
        ListPredictionsRequest(equipmentID: 1, sinceMs: 1_600_000_000_000, limit: 10),
        DetectionStatsRequest(sinceMs: 1_600_000_000_000),
        ModelInfoRequest(),
    ]

    static let raiseAlert = RaiseAlertRequest(
        eventID: "fuzz-1", equipmentID: 1, severity: .warning, title: "Vibration above normal", timestampMs: 1_700_000_000_000,
        source: "detection", kind: "anomaly:vibration", confidence: 80, sensors: ["vibration"])

    static let createSilence = CreateSilenceRequest(
        silence: Silence(
            equipmentID: 2, startsAtMs: 1_700_000_000_000, endsAtMs: 4_000_000_000_000, reason: "overhaul", createdBy: "fuzz",
            key: "fuzz-silence"))
}
