import Metrics
import PMProto
import PMRPC
import PMServices
import ServiceKit

/// The IngestService methods, one line each, over the stores.
struct IngestHandlers: IngestServiceProtocol {
    static let maxReadingsPerCall = 50_000
    static let streamBatchSize = 500

    let equipment: EquipmentStore
    let writer: ReadingWriter
    let queries: ReadingQueries
    let notifier: SequenceNotifier
    let validation: ReadingValidation

    func registerEquipment(_ request: RegisterEquipmentRequest, context: ServerContext) async throws -> RegisterEquipmentResponse {
        RegisterEquipmentResponse(equipment: try await equipment.register(request.equipment ?? Equipment(), now: WallClock.nowMs()))
    }

    func getEquipment(_ request: GetEquipmentRequest, context: ServerContext) async throws -> GetEquipmentResponse {
        try await equipmentWithLatestReading(request)
    }

    func listEquipment(_ request: ListEquipmentRequest, context: ServerContext) async throws -> ListEquipmentResponse {
        ListEquipmentResponse(equipment: try await equipment.list(request))
    }

    func updateEquipment(_ request: UpdateEquipmentRequest, context: ServerContext) async throws -> UpdateEquipmentResponse {
        UpdateEquipmentResponse(equipment: try await equipment.update(request, now: WallClock.nowMs()))
    }

    func recordReadings(_ request: RecordReadingsRequest, context: ServerContext) async throws -> RecordReadingsResponse {
        try await record(request)
    }

    func queryReadings(_ request: QueryReadingsRequest, context: ServerContext) async throws -> QueryReadingsResponse {
        guard request.equipmentID <= 0 || equipment.isKnown(request.equipmentID) else {
            throw ServiceError.notFound("equipment \(request.equipmentID)")
        }
        return try await queries.query(request)
    }

    func latestReadings(_ request: LatestReadingsRequest, context: ServerContext) async throws -> LatestReadingsResponse {
        guard request.equipmentIDs.count <= ReadingQueries.maxLimit else {
            throw ServiceError.invalidArgument(
                field: "equipment_ids",
                reason: "lists \(request.equipmentIDs.count) entries; at most \(ReadingQueries.maxListedMachines) machines")
        }
        // Each machine once, in the order first asked for.
        var seen = Set<Int64>()
        let listed = request.equipmentIDs.filter { seen.insert($0).inserted }
        let readings = try await queries.latest(
            listed.isEmpty ? equipment.allIDs : listed, perEquipment: request.perEquipment, listed: !listed.isEmpty)
        return LatestReadingsResponse(readings: readings)
    }

    func readingStats(_ request: ReadingStatsRequest, context: ServerContext) async throws -> ReadingStatsResponse {
        try await queries.stats(request, lastSequence: notifier.latest)
    }

    func equipmentStats(_ request: EquipmentStatsRequest, context: ServerContext) async throws -> EquipmentStatsResponse {
        try await equipment.stats()
    }

    func streamReadings(_ request: StreamReadingsRequest, writer: RPCWriter<StreamReadingsResponse>, context: ServerContext) async throws {
        try await stream(request, to: writer)
    }

    private func equipmentWithLatestReading(_ request: GetEquipmentRequest) async throws -> GetEquipmentResponse {
        let found = try await equipment.get(request.equipmentID)
        let latest = try await queries.latest([found.id], perEquipment: 1)
        return GetEquipmentResponse(equipment: found, latestReading: latest.first)
    }

    /// Validates each reading on its own; the valid ones are written, the others reported with a reason.
    private func record(_ request: RecordReadingsRequest) async throws -> RecordReadingsResponse {
        // Sized before any row is built: a columnar batch of millions of rows fits in a large frame.
        guard request.readings.count + (request.columns?.equipmentID.count ?? 0) <= Self.maxReadingsPerCall else {
            throw ServiceError.invalidArgument(field: "readings", reason: "at most \(Self.maxReadingsPerCall) readings per call")
        }
        var readings = request.readings
        if let columns = request.columns {
            do {
                readings += try columns.readings()
            } catch let mismatch as ReadingColumnsMismatch {
                throw ServiceError.invalidArgument(field: mismatch.field, reason: mismatch.description)
            }
        }
        guard !readings.isEmpty else {
            throw ServiceError.invalidArgument(field: "readings", reason: "must contain at least one reading")
        }
        guard readings.count <= Self.maxReadingsPerCall else {
            throw ServiceError.invalidArgument(field: "readings", reason: "at most \(Self.maxReadingsPerCall) readings per call")
        }
        let nowMs = WallClock.nowMs()
        var results = [ReadingResult]()
        results.reserveCapacity(readings.count)
        var valid = [Reading]()
        var validIndices = [Int]()
        for (index, reading) in readings.enumerated() {
            if let rejection = validation.validate(reading, nowMs: nowMs) {
                results.append(ReadingResult(index: UInt32(index), outcome: .rejected, field: rejection.field, reason: rejection.reason))
            } else {
                results.append(ReadingResult(index: UInt32(index)))
                valid.append(reading)
                validIndices.append(index)
            }
        }
        var response = RecordReadingsResponse(rejected: UInt32(readings.count - valid.count))
        if !valid.isEmpty {
            for (index, outcome) in zip(validIndices, try await writer.write(valid)) {
                results[index].outcome = outcome.duplicate ? .duplicate : .accepted
                results[index].sequence = outcome.sequence
                results[index].timestampMs = outcome.timestampMs
                if outcome.duplicate { response.duplicates += 1 } else { response.accepted += 1 }
            }
        }
        response.results = results
        for (outcome, count) in [("accepted", response.accepted), ("duplicate", response.duplicates), ("rejected", response.rejected)] {
            Counter(label: "pm_readings_ingested_total", dimensions: [("outcome", outcome)]).increment(by: count)
        }
        return response
    }

    /// Sends every reading after the requested sequence, then new ones as they commit, in sequence order.
    private func stream(_ request: StreamReadingsRequest, to output: RPCWriter<StreamReadingsResponse>) async throws {
        let filter = try MachineFilter(request)
        var after = request.afterSequence
        while true {
            // Everything up to the watermark is committed, so scanning up to it leaves no gap behind.
            let watermark = notifier.latest
            if watermark > after {
                let batch = try await queries.readings(after: after, upTo: watermark, filter: filter, limit: Self.streamBatchSize)
                if !batch.isEmpty {
                    try await output.write(StreamReadingsResponse(readings: batch))
                }
                if batch.count == Self.streamBatchSize {
                    after = batch.last!.sequence
                    continue
                }
                after = watermark
            }
            try await notifier.waitForSequence(above: after)
        }
    }
}
