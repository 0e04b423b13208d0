import PMProto
import PMRPC
import PMServices
import ServiceKit

/// The DetectionService methods, one line each, over the queries.
struct DetectionHandlers: DetectionServiceProtocol {
    let queries: DetectionQueries

    func score(_ request: ScoreRequest, context: ServerContext) async throws -> ScoreResponse {
        ScoreResponse(scores: try queries.score(request.readings))
    }

    func getModelInfo(_ request: ModelInfoRequest, context: ServerContext) async throws -> ModelInfoResponse {
        ModelInfoResponse(models: try queries.modelInfo(request))
    }

    func listPredictions(_ request: ListPredictionsRequest, context: ServerContext) async throws -> ListPredictionsResponse {
        ListPredictionsResponse(predictions: try await queries.predictions(request))
    }

    func detectionStats(_ request: DetectionStatsRequest, context: ServerContext) async throws -> DetectionStatsResponse {
        try await queries.stats(since: request.sinceMs)
    }
}
