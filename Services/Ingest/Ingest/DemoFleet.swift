import Foundation
import GRDB
import PMProto

/// The six machines a fresh database starts with, like the seed's, so the system shows something at once.
enum DemoFleet {
    static let machines: [(name: String, type: String, location: String, installDate: String)] = [
        ("Hydraulic Press HP-1", "hydraulic_press", "Building B - Line 1", "2017-08-05"),
        ("CNC Mill CM-2", "cnc_mill", "Building B - Line 2", "2019-03-15"),
        ("Air Compressor AC-3", "air_compressor", "Building A - Floor 1", "2018-11-20"),
        ("Conveyor Motor CV-4", "conveyor_motor", "Building B - Line 2", "2020-06-01"),
        ("Industrial Pump IP-5", "industrial_pump", "Building A - Basement", "2016-04-22"),
        ("HVAC Chiller HC-6", "hvac_chiller", "Building C - Roof", "2021-01-10"),
    ]

    static func insert(into db: Database, now: Date) throws {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let lastMaintenance = formatter.string(from: now.addingTimeInterval(-45 * 86_400))
        for (index, machine) in machines.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO equipment (id, name, type, location, install_date, last_maintenance, status, created_at_ms, updated_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    index + 1, machine.name, machine.type, machine.location, machine.installDate, lastMaintenance,
                    EquipmentStatus.healthy.rawValue, nowMs, nowMs,
                ]
            )
        }
    }
}
