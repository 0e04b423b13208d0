import Logging
import PMProto
import PMRPC
import PMServices

/// Sends readings straight to Ingest over the internal RPC, a RecordReadings call per batch; a call
/// refused as a whole (Ingest restarting, saturated, too slow) is made again.
public struct RPCReadingSink: ReadingSink {
    /// The RPC takes whatever `--batch-size` allows.
    public let maxBatchSize = Int.max
    let client: IngestServiceClient
    let redelivery: Redelivery

    public init(client: IngestServiceClient, logger: Logger) {
        self.client = client
        self.redelivery = Redelivery(logger: logger)
    }

    public func deliver(_ batch: [Reading]) async throws -> Delivery {
        let request = RecordReadingsRequest(columns: ReadingColumns(batch))
        return try await redelivery.retrying {
            let response: RecordReadingsResponse
            do {
                response = try await client.recordReadings(request)
            } catch let error as RPCError where [.unavailable, .resourceExhausted, .deadlineExceeded].contains(error.code) {
                throw TransientFailure("ingest: \(error)")
            }
            let rejection = response.results.first { $0.outcome == .rejected }
            return Delivery(
                stored: Int(response.accepted + response.duplicates), rejected: Int(response.rejected),
                firstRejection: rejection.map { Delivery.Rejection(field: $0.field, reason: $0.reason) })
        }
    }
}
