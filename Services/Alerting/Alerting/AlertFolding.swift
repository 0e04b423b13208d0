import PMProto

/// How a raised event becomes an alert: a new one, or folded into the machine's unresolved alert of the
/// same kind. Severity only ever rises; a rise is an escalation event of its own.
enum AlertFolding {
    static func open(_ request: RaiseAlertRequest, kind: String, eventTime: Int64, now: Int64) -> Alert {
        Alert(
            eventID: request.eventID, equipmentID: request.equipmentID, createdAtMs: now, updatedAtMs: now, severity: request.severity,
            title: request.title, description: request.description, state: .open, occurrences: 1, lastSeenMs: eventTime,
            source: request.source, kind: kind, confidence: request.confidence, sensors: request.sensors, firstSeenMs: eventTime,
            predictedFailureMs: request.predictedFailureMs)
    }

    static func fold(_ request: RaiseAlertRequest, into alert: Alert, eventTime: Int64, now: Int64) -> Alert {
        var alert = alert
        alert.occurrences = alert.occurrences &+ 1
        alert.firstSeenMs = min(alert.firstSeenMs, eventTime)
        alert.lastSeenMs = max(alert.lastSeenMs, eventTime)
        alert.confidence = max(alert.confidence, request.confidence)
        if !request.sensors.isEmpty { alert.sensors = request.sensors }
        if request.predictedFailureMs != 0 { alert.predictedFailureMs = request.predictedFailureMs }
        if request.severity.rawValue > alert.severity.rawValue {
            alert.severity = request.severity
            alert.title = request.title
            alert.description = request.description
        }
        alert.updatedAtMs = now
        return alert
    }

    /// The event recording `alert`, which was `before` (nil: it is new).
    static func event(for alert: Alert, before: Alert?, by: String, at now: Int64) -> AlertEvent {
        guard let before else {
            return AlertEvent(kind: .raised, alert: alert, atMs: now, by: by, fromState: .unspecified, toState: alert.state)
        }
        let escalated = alert.severity != before.severity
        return AlertEvent(
            kind: escalated ? .escalated : .updated, alert: alert, atMs: now, by: by, fromState: before.state, toState: alert.state,
            comment: escalated ? "\(name(before.severity)) -> \(name(alert.severity))" : "")
    }

    static func name(_ severity: Severity) -> String {
        severity.shortName ?? "severity \(severity.rawValue)"
    }
}
