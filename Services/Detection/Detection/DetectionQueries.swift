import Detectors
import Foundation
import GRDB
import PMProto
import ServiceKit

/// What Detection answers from its database and models: predictions, models, statistics, on-demand scores.
struct DetectionQueries: Sendable {
    static let defaultLimit = 50
    static let maxLimit = 1000
    static let maxScoredReadings = 10_000

    let database: DatabasePool
    let models: MachineModels
    let shards: DetectionShards
    let advice: SensorAdvice

    func predictions(_ request: ListPredictionsRequest) async throws -> [Prediction] {
        let limit = try RequestLimits.pageSize(request.limit, default: Self.defaultLimit, maximum: Self.maxLimit)
        guard request.equipmentID >= 0 else { throw ServiceError.invalidArgument(field: "equipment_id", reason: "must not be negative") }
        guard request.sinceMs >= 0 else { throw ServiceError.invalidArgument(field: "since_ms", reason: "must not be negative") }
        if request.equipmentID > 0 { try requireOwned(request.equipmentID, field: "equipment_id") }
        return try await database.read { db in
            let machine = request.equipmentID > 0 ? "equipment_id = \(request.equipmentID) AND" : ""
            let sql =
                "SELECT id, body FROM predictions WHERE \(machine) timestamp_ms >= ? ORDER BY timestamp_ms DESC, id DESC LIMIT \(limit)"
            return try Row.fetchAll(db, sql: sql, arguments: [request.sinceMs]).map { row in
                var prediction = try Prediction(serializedBytes: Array(row["body"] as Data))
                prediction.id = row["id"]
                return prediction
            }
        }
    }

    func modelInfo(_ request: ModelInfoRequest) throws -> [ModelInfo] {
        guard request.equipmentID >= 0 else { throw ServiceError.invalidArgument(field: "equipment_id", reason: "must not be negative") }
        if request.equipmentID > 0 { try requireOwned(request.equipmentID, field: "equipment_id") }
        let summaries = models.summaries()
        if request.equipmentID > 0, summaries[request.equipmentID] == nil {
            throw ServiceError.notFound("no readings of machine \(request.equipmentID) have been scored yet")
        }
        return summaries.filter { request.equipmentID == 0 || $0.key == request.equipmentID }.sorted { $0.key < $1.key }.map { id, model in
            ModelInfo(
                equipmentID: id, algorithm: model.summary.algorithm, version: "\(models.kind.rawValue)-\(model.summary.version)",
                trainedAtMs: model.trainedAtMs, trainingSamples: UInt32(clamping: model.summary.trainingSamples),
                threshold: model.summary.threshold,
                parameters: model.summary.parameters.sorted { $0.key < $1.key }.map { ModelParameter(name: $0.key, value: $0.value) },
                shardIndex: UInt32(shards.index))
        }
    }

    func stats(since sinceMs: Int64) async throws -> DetectionStatsResponse {
        let trained = models.summaries().values.filter(\.summary.isReady).count
        return try await database.read { db in
            DetectionStatsResponse(
                predictionsSince: UInt64(
                    try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM predictions WHERE timestamp_ms >= ?", arguments: [sinceMs]) ?? 0),
                modelsTrained: UInt32(clamping: trained),
                readingsScored: UInt64(try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'readings_scored'") ?? 0))
        }
    }

    /// Scores readings with their machines' current models, learning nothing.
    func score(_ readings: [Reading]) throws -> [Score] {
        guard !readings.isEmpty, readings.count <= Self.maxScoredReadings else {
            throw ServiceError.invalidArgument(field: "readings", reason: "1 to \(Self.maxScoredReadings) readings")
        }
        return try readings.enumerated().map { index, reading in
            try requireOwned(reading.equipmentID, field: "readings[\(index)].equipment_id")
            try RequestLimits.timestamp(reading.timestampMs, field: "readings[\(index)].timestamp_ms")
            for (name, value) in zip(MachineModels.features, MachineModels.row(of: reading)) where !value.isFinite {
                throw ServiceError.invalidArgument(field: "readings[\(index)].\(name)", reason: "must be a finite number")
            }
            guard let (verdict, version, machineType) = models.judge(reading), verdict.modelReady else {
                return Score(
                    equipmentID: reading.equipmentID, timestampMs: reading.timestampMs, sequence: reading.sequence, modelReady: false)
            }
            let explanation = Explanation(verdict: verdict, reading: reading, advice: advice, machineType: machineType)
            return Score(
                equipmentID: reading.equipmentID, timestampMs: reading.timestampMs, sequence: reading.sequence, score: verdict.score,
                anomaly: verdict.isAnomalous, confidence: verdict.confidence, severity: Explanation.severity(verdict.severity),
                contributions: explanation.prediction.explanation, modelVersion: "\(models.kind.rawValue)-\(version)", modelReady: true)
        }
    }

    /// A machine another replica scores is FAILED_PRECONDITION, naming that replica.
    private func requireOwned(_ id: Int64, field: String) throws {
        guard id > 0 else { throw ServiceError.invalidArgument(field: field, reason: "must be positive") }
        guard shards.owns(id) else {
            throw ServiceError.failedPrecondition(
                "machine \(id) is scored by detection replica \(DetectionShards.owner(of: id, count: shards.count)) of \(shards.count), not \(shards.index)"
            )
        }
    }
}
