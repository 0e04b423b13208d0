import PMProto
import ServiceKit

/// The limits of Scheduling's requests (PROTOCOL.md lists them), checked before any work. Text limits are
/// in bytes and sized so that a full page of tasks fits one frame.
enum TaskValidation {
    static let maxNotesBytes = 4000

    static let sources: Set<String> = ["manual", "alert", "preventive"]

    static func validate(_ request: CreateTaskRequest) throws(ServiceError) {
        guard request.equipmentID > 0 else { throw .invalidArgument(field: "equipment_id", reason: "must be positive") }
        try text(request.task, field: "task", maxLength: 500)
        try date(request.scheduledDate, field: "scheduled_date")
        try priority(request.priority)
        try text(request.notes, field: "notes", maxLength: maxNotesBytes, required: false)
        guard request.source.isEmpty || sources.contains(request.source) else {
            throw .invalidArgument(field: "source", reason: "must be manual, alert or preventive")
        }
        guard request.alertID >= 0 else { throw .invalidArgument(field: "alert_id", reason: "must not be negative") }
        guard request.predictionID >= 0 else { throw .invalidArgument(field: "prediction_id", reason: "must not be negative") }
        try text(request.idempotencyKey, field: "idempotency_key", maxLength: 200, required: false)
    }

    static func priority(_ priority: Priority, field: String = "priority") throws(ServiceError) {
        guard priority == .unspecified || Priority.allKnown.contains(priority) else {
            throw .invalidArgument(field: field, reason: "must be low, medium, high or critical")
        }
    }

    static func text(_ value: String, field: String, maxLength: Int, required: Bool = true) throws(ServiceError) {
        try RequestLimits.text(value, field: field, maxBytes: maxLength, required: required)
    }

    /// A real calendar date written YYYY-MM-DD, in years 1970 to 9999 ("2024-02-30" is refused).
    static func date(_ value: String, field: String) throws(ServiceError) {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.map(\.count) == [4, 2, 2], let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), (1970...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= daysIn(month: month, year: year)
        else {
            throw .invalidArgument(field: field, reason: "must be a date written YYYY-MM-DD, e.g. 2026-12-20")
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
