import PMProto
import PMRPC
import PMServices
import ServiceKit

/// The AlertingService methods, one line each, over the stores.
struct AlertingHandlers: AlertingServiceProtocol {
    static let watchBatchSize = 500

    let alerts: AlertStore
    let queries: AlertQueries
    let silences: SilenceStore

    func raiseAlert(_ request: RaiseAlertRequest, context: ServerContext) async throws -> RaiseAlertResponse {
        try await alerts.raise(request, now: WallClock.nowMs())
    }

    func listAlerts(_ request: ListAlertsRequest, context: ServerContext) async throws -> ListAlertsResponse {
        ListAlertsResponse(alerts: try await queries.list(request))
    }

    func acknowledgeAlert(_ request: AcknowledgeAlertRequest, context: ServerContext) async throws -> AcknowledgeAlertResponse {
        AcknowledgeAlertResponse(alert: try await alerts.acknowledge(request, by: context.actor(or: request.by), now: WallClock.nowMs()))
    }

    func resolveAlert(_ request: ResolveAlertRequest, context: ServerContext) async throws -> ResolveAlertResponse {
        ResolveAlertResponse(alert: try await alerts.resolve(request, by: context.actor(or: request.by), now: WallClock.nowMs()))
    }

    func watchAlerts(_ request: WatchAlertsRequest, writer: RPCWriter<AlertEvent>, context: ServerContext) async throws {
        try await watch(after: request.afterSequence, to: writer)
    }

    func alertStats(_ request: AlertStatsRequest, context: ServerContext) async throws -> AlertStatsResponse {
        try await queries.stats()
    }

    func getAlert(_ request: GetAlertRequest, context: ServerContext) async throws -> GetAlertResponse {
        try await queries.get(request)
    }

    func createSilence(_ request: CreateSilenceRequest, context: ServerContext) async throws -> CreateSilenceResponse {
        try await silences.create(
            request.silence ?? Silence(), by: context.actor(or: request.silence?.createdBy ?? ""), now: WallClock.nowMs())
    }

    func listSilences(_ request: ListSilencesRequest, context: ServerContext) async throws -> ListSilencesResponse {
        ListSilencesResponse(silences: try await silences.list(request, now: WallClock.nowMs()))
    }

    func deleteSilence(_ request: DeleteSilenceRequest, context: ServerContext) async throws -> DeleteSilenceResponse {
        DeleteSilenceResponse(deleted: try await silences.delete(request))
    }

    /// Every event after `after`, in order, then new ones as they commit; ends when the call does.
    private func watch(after start: UInt64, to output: RPCWriter<AlertEvent>) async throws {
        guard start <= UInt64(Int64.max) else {
            throw ServiceError.invalidArgument(field: "after_sequence", reason: "at most \(Int64.max)")
        }
        var after = start
        while true {
            // Everything up to the watermark is committed, so reading up to it leaves no gap behind.
            let watermark = alerts.notifier.latest
            if watermark > after {
                let batch = try await queries.events(after: after, upTo: watermark, limit: Self.watchBatchSize)
                for event in batch { try await output.write(event) }
                after = batch.count == Self.watchBatchSize ? batch.last!.sequence : watermark
                continue
            }
            try await alerts.notifier.waitForSequence(above: after)
        }
    }
}
