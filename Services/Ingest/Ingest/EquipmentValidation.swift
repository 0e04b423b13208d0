import Foundation
import PMProto
import ServiceKit

/// The rules for equipment fields, with errors that name the field.
enum EquipmentValidation {
    static let maxTextLength = 200
    static let assignableStatuses: Set<EquipmentStatus> = [.healthy, .monitoring, .warning, .critical, .maintenance, .offline]

    static func validateNew(_ equipment: inout Equipment) throws {
        guard equipment.id >= 0 else {
            throw ServiceError.invalidArgument(field: "id", reason: "must be positive, or 0 to let Ingest choose")
        }
        try requireText(equipment.name, field: "name")
        try requireText(equipment.type, field: "type")
        try optionalText(equipment.location, field: "location")
        try date(equipment.installDate, field: "install_date")
        try date(equipment.lastMaintenance, field: "last_maintenance")
        if equipment.status == .unspecified { equipment.status = .healthy }
        try status(equipment.status)
    }

    /// Checks every present field and returns the change to apply.
    static func validateUpdate(_ request: UpdateEquipmentRequest) throws -> @Sendable (inout Equipment) -> Void {
        guard request.equipmentID > 0 else { throw ServiceError.invalidArgument(field: "equipment_id", reason: "must be positive") }
        if let name = request.name { try requireText(name, field: "name") }
        if let type = request.type { try requireText(type, field: "type") }
        if let location = request.location { try optionalText(location, field: "location") }
        if let installDate = request.installDate { try date(installDate, field: "install_date") }
        if let lastMaintenance = request.lastMaintenance { try date(lastMaintenance, field: "last_maintenance") }
        if let newStatus = request.status { try status(newStatus) }
        return { equipment in
            if let name = request.name { equipment.name = name }
            if let type = request.type { equipment.type = type }
            if let location = request.location { equipment.location = location }
            if let installDate = request.installDate { equipment.installDate = installDate }
            if let lastMaintenance = request.lastMaintenance { equipment.lastMaintenance = lastMaintenance }
            if let newStatus = request.status { equipment.status = newStatus }
        }
    }

    private static func requireText(_ value: String, field: String) throws {
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ServiceError.invalidArgument(field: field, reason: "must not be empty")
        }
        try optionalText(value, field: field)
    }

    private static func optionalText(_ value: String, field: String) throws {
        guard value.count <= maxTextLength else {
            throw ServiceError.invalidArgument(field: field, reason: "must be at most \(maxTextLength) characters")
        }
    }

    private static func date(_ value: String, field: String) throws {
        guard !value.isEmpty else { return }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1900...2200).contains(year),
            let date = Calendar(identifier: .gregorian).date(from: DateComponents(year: year, month: month, day: day)),
            Calendar(identifier: .gregorian).dateComponents([.year, .month, .day], from: date)
                == DateComponents(year: year, month: month, day: day)
        else {
            throw ServiceError.invalidArgument(field: field, reason: "'\(value)' is not a date in the form YYYY-MM-DD")
        }
    }

    private static func status(_ value: EquipmentStatus) throws {
        guard assignableStatuses.contains(value) else {
            throw ServiceError.invalidArgument(field: "status", reason: "\(value.rawValue) is not a known equipment status")
        }
    }
}
