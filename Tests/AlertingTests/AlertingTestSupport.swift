import Alerting
import Foundation
import Logging
import PMProto
import PMRPC
import PMServices
import RPCTesting
import ServiceKit
import Testing

enum AlertingTest {
    /// Runs Alerting in-process on a fresh database in `folder`.
    static func with<Result: Sendable>(
        folder: TemporaryFolder,
        configure: (inout AlertingConfiguration) -> Void = { _ in },
        _ body: @Sendable (AlertingServiceClient) async throws -> Result
    ) async throws -> Result {
        var alerting = AlertingConfiguration.forTesting(directory: folder.path)
        configure(&alerting)
        var logger = Logger(label: "alerting-test")
        logger.logLevel = .warning
        return try await RunningApplication.with(service: "alerting") { configuration in
            try AlertingBuilder.buildApplication(configuration: configuration, alerting: alerting, logger: logger)
        } _: { running in
            try await body(AlertingServiceClient(running.client))
        }
    }

    static func raise(
        _ event: String, machine: Int64 = 1, kind: String = "anomaly:vibration", severity: Severity = .warning, confidence: Double = 80
    ) -> RaiseAlertRequest {
        RaiseAlertRequest(
            eventID: event, equipmentID: machine, severity: severity, title: "Vibration above normal", description: "test",
            timestampMs: WallClock.nowMs(), source: "detection", kind: kind, confidence: confidence, sensors: ["vibration"])
    }
}
