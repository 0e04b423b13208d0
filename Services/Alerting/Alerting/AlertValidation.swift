import PMProto
import ServiceKit

/// The limits of Alerting's requests (PROTOCOL.md lists them), checked before any work. Text limits are
/// in bytes and sized so that a full page of alerts, or an alert's history, fits one frame.
enum AlertValidation {
    /// The latest time a timestamp may hold: the end of year 9999, in milliseconds.
    static let maxTimestampMs = RequestLimits.maxTimestampMs
    static let maxSensors = 32

    /// Checks a RaiseAlert request; returns its kind (`kind`, else the older `dedup_key`).
    static func validate(_ request: RaiseAlertRequest) throws(ServiceError) -> String {
        try text(request.eventID, field: "event_id", maxLength: 200)
        guard request.equipmentID > 0 else { throw .invalidArgument(field: "equipment_id", reason: "must be positive") }
        guard request.severity == .warning || request.severity == .critical else {
            throw .invalidArgument(field: "severity", reason: "must be SEVERITY_WARNING or SEVERITY_CRITICAL")
        }
        let kind = request.kind.isEmpty ? request.dedupKey : request.kind
        try text(kind, field: "kind", maxLength: 100)
        try text(request.title, field: "title", maxLength: 200)
        try text(request.description, field: "description", maxLength: 2000, required: false)
        try text(request.source, field: "source", maxLength: 100, required: false)
        guard request.confidence.isFinite, (0...100).contains(request.confidence) else {
            throw .invalidArgument(field: "confidence", reason: "must be between 0 and 100")
        }
        guard request.sensors.count <= maxSensors else {
            throw .invalidArgument(field: "sensors", reason: "lists \(request.sensors.count) sensors; at most \(maxSensors)")
        }
        for sensor in request.sensors { try text(sensor, field: "sensors", maxLength: 64) }
        try timestamp(request.timestampMs, field: "timestamp_ms")
        try timestamp(request.predictedFailureMs, field: "predicted_failure_ms")
        return kind
    }

    /// Checks the person and note of an acknowledgement or resolution.
    static func validateChange(alertID: Int64, by: String, note: String) throws(ServiceError) {
        guard alertID > 0 else { throw .invalidArgument(field: "alert_id", reason: "must be positive") }
        try text(by, field: "by", maxLength: 200)
        try text(note, field: "note", maxLength: 2000, required: false)
    }

    static func text(_ value: String, field: String, maxLength: Int, required: Bool = true) throws(ServiceError) {
        try RequestLimits.text(value, field: field, maxBytes: maxLength, required: required)
    }

    /// 0 (none) or a time the store can hold.
    static func timestamp(_ value: Int64, field: String) throws(ServiceError) {
        guard (0...maxTimestampMs).contains(value) else {
            throw .invalidArgument(field: field, reason: "must be between 0 and \(maxTimestampMs) (milliseconds since 1970)")
        }
    }

}
