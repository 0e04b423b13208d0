import PMProto
import PMRPC
import RPCTesting
import Testing

@Suite("Equipment registry")
struct EquipmentRegistryTests {
    @Test("a fresh database has the six-machine demo fleet, or none when configured off")
    func demoFleet() async throws {
        let folder = try TemporaryFolder()
        let fleet = try await IngestTest.with(folder: folder) { client async throws in
            try await client.listEquipment(ListEquipmentRequest()).equipment
        }
        #expect(fleet.count == 6)
        #expect(fleet.allSatisfy { $0.status == .healthy && !$0.name.isEmpty && !$0.lastMaintenance.isEmpty })
        let empty = try TemporaryFolder()
        let none = try await IngestTest.with(folder: empty, demoFleet: false) { client async throws in
            try await client.listEquipment(ListEquipmentRequest()).equipment
        }
        #expect(none.isEmpty)
    }

    @Test("equipment stats count machines by status")
    func equipmentStats() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            _ = try await client.updateEquipment(UpdateEquipmentRequest(equipmentID: 2, status: .maintenance))
            _ = try await client.updateEquipment(UpdateEquipmentRequest(equipmentID: 5, status: .critical))
            let stats = try await client.equipmentStats(EquipmentStatsRequest())
            #expect(stats.total == 6)
            #expect(
                stats.byStatus == [
                    EquipmentStatusCount(status: .healthy, count: 4), EquipmentStatusCount(status: .critical, count: 1),
                    EquipmentStatusCount(status: .maintenance, count: 1),
                ])
        }
    }

    @Test("register, get, list with filters, update only the present fields")
    func lifecycle() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder, demoFleet: false) { client async throws in
            let press = try await client.registerEquipment(
                RegisterEquipmentRequest(
                    equipment: Equipment(
                        name: "Press 7", type: "hydraulic_press", location: "Hall 3", installDate: "2020-02-29"
                    ))
            ).equipment!
            #expect(press.id > 0)
            #expect(press.status == .healthy)
            #expect(press.createdAtMs > 0)
            let pump = try await client.registerEquipment(
                RegisterEquipmentRequest(
                    equipment: Equipment(
                        id: 42, name: "Pump", type: "industrial_pump", status: .warning
                    ))
            ).equipment!
            #expect(pump.id == 42)

            let fetched = try await client.getEquipment(GetEquipmentRequest(equipmentID: press.id))
            #expect(fetched.equipment == press)
            #expect(fetched.latestReading == nil)

            let warnings = try await client.listEquipment(ListEquipmentRequest(status: .warning)).equipment
            #expect(warnings.map(\.id) == [42])
            let presses = try await client.listEquipment(ListEquipmentRequest(type: "hydraulic_press")).equipment
            #expect(presses.map(\.id) == [press.id])
            let page = try await client.listEquipment(ListEquipmentRequest(limit: 1, afterID: press.id)).equipment
            #expect(page.map(\.id) == [42])

            let updated = try await client.updateEquipment(
                UpdateEquipmentRequest(
                    equipmentID: press.id, lastMaintenance: "2026-11-01", status: .maintenance
                )
            ).equipment!
            #expect(updated.name == "Press 7")
            #expect(updated.lastMaintenance == "2026-11-01")
            #expect(updated.status == .maintenance)
            #expect(try await client.getEquipment(GetEquipmentRequest(equipmentID: press.id)).equipment == updated)
        }
    }

    @Test(
        "invalid equipment is refused with INVALID_ARGUMENT naming the field",
        arguments: [
            (Equipment(name: "", type: "pump"), "name"),
            (Equipment(name: "P", type: " "), "type"),
            (Equipment(name: "P", type: "pump", installDate: "2021-02-30"), "install_date"),
            (Equipment(name: "P", type: "pump", lastMaintenance: "yesterday"), "last_maintenance"),
            (Equipment(name: "P", type: "pump", status: EquipmentStatus(rawValue: 99)), "status"),
            (Equipment(id: -1, name: "P", type: "pump"), "id"),
            (Equipment(name: String(repeating: "x", count: 201), type: "pump"), "name"),
        ]
    )
    func invalidEquipment(equipment: Equipment, field: String) async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder, demoFleet: false) { client async throws in
            let error = await expectRPCError(.invalidArgument) {
                _ = try await client.registerEquipment(RegisterEquipmentRequest(equipment: equipment))
            }
            #expect(error?.metadata["field"] == field)
            #expect(error?.message.hasPrefix(field) == true)
        }
    }

    @Test("unknown ids are NOT_FOUND, a taken id is ALREADY_EXISTS")
    func missingAndDuplicate() async throws {
        let folder = try TemporaryFolder()
        try await IngestTest.with(folder: folder) { client async throws in
            await expectRPCError(.notFound) { _ = try await client.getEquipment(GetEquipmentRequest(equipmentID: 999)) }
            await expectRPCError(.notFound) {
                _ = try await client.updateEquipment(UpdateEquipmentRequest(equipmentID: 999, name: "x"))
            }
            await expectRPCError(.alreadyExists) {
                _ = try await client.registerEquipment(RegisterEquipmentRequest(equipment: Equipment(id: 1, name: "Dup", type: "pump")))
            }
        }
    }
}
