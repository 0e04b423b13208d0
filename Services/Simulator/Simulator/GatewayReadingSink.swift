import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PMProto

/// Posts readings to the public gateway's `POST /api/sensor-data/batch` with a device key
/// (`Authorization: Bearer`). What fails as a whole (no connection, a timeout, 5xx, 429) is posted again
/// after the gateway's `Retry-After` or a backoff; any other refusal (a bad or revoked key, a machine the
/// key may not write) is final: ``DeliveryRefused``.
public struct GatewayReadingSink: ReadingSink {
    /// The gateway's limit per request.
    public let maxBatchSize = 10_000
    /// Generous: a full batch is stored by Ingest before the gateway answers.
    static let requestTimeout = TimeAmount.seconds(60)
    static let maxAnswerBytes = 16 << 20

    let client: HTTPClient
    let url: String
    let key: DeviceKey
    let redelivery: Redelivery

    /// Runs `body` with a sink posting to `gateway` (a base URL, e.g. `http://127.0.0.1:8080`) on an HTTP
    /// client of its own, shut down when `body` returns or throws.
    public static func with<Result>(
        gateway: String, key: DeviceKey, logger: Logger, _ body: (GatewayReadingSink) async throws -> Result
    ) async throws -> Result {
        // A short connect timeout, so an unreachable gateway is retried soon; no redirects: readings
        // have one address.
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.connect = .seconds(5)
        return try await HTTPClient.withHTTPClient(configuration: configuration) { client in
            try await body(GatewayReadingSink(client: client, gateway: gateway, key: key, logger: logger))
        }
    }

    init(client: HTTPClient, gateway: String, key: DeviceKey, logger: Logger) {
        self.client = client
        self.url = (gateway.hasSuffix("/") ? String(gateway.dropLast()) : gateway) + "/api/sensor-data/batch"
        self.key = key
        self.redelivery = Redelivery(logger: logger)
    }

    public func deliver(_ batch: [Reading]) async throws -> Delivery {
        let body = try GatewayBatchJSON.encode(batch)
        return try await redelivery.retrying {
            let answer = try await post(body)
            switch answer.status {
            case 200..<300:
                let result = try GatewayBatchJSON.decode(GatewayBatchJSON.Result.self, from: answer.body)
                return Delivery(
                    stored: result.accepted + result.duplicates, rejected: result.rejected,
                    firstRejection: result.errors.first.map { .init(field: $0.field ?? "", reason: $0.message) })
            case 429, 500...:
                throw TransientFailure(
                    "gateway answered HTTP \(answer.status) (\(GatewayBatchJSON.explanation(of: answer.body)))",
                    retryAfter: answer.retryAfter)
            default:
                throw DeliveryRefused(
                    description: "the gateway refused \(batch.count) readings sent with device key \(key): HTTP \(answer.status) "
                        + "(\(GatewayBatchJSON.explanation(of: answer.body)))")
            }
        }
    }

    private struct Answer {
        var status: UInt
        /// The gateway's `Retry-After` (whole seconds) of a 429 or 503.
        var retryAfter: Duration?
        var body: Data
    }

    /// One POST; a failure before a whole answer arrived is transient.
    private func post(_ body: Data) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key.text)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: Self.requestTimeout)
            let answer = try await response.body.collect(upTo: Self.maxAnswerBytes)
            return Answer(
                status: response.status.code,
                retryAfter: response.headers.first(name: "Retry-After").flatMap(Int.init).map { .seconds(max($0, 0)) },
                body: Data(answer.readableBytesView))
        } catch {
            try Task.checkCancellation()
            throw TransientFailure("gateway unreachable: \(error)")
        }
    }
}
