import PMRPC
import PMServices
import ServiceKit

/// One RPC client per internal service (and per Detection replica), all carrying the shared token.
public struct ServiceClients: Sendable {
    public let ingest: IngestServiceClient
    public let alerting: AlertingServiceClient
    public let scheduling: SchedulingServiceClient
    /// In shard order (see ``DetectionShards``).
    public let detection: [DetectionServiceClient]
    /// Every connection, by the name used in health reports (`detection-1` for the second replica).
    public let byName: [(name: String, client: RPCClient)]

    public init(configuration: GatewayConfiguration) {
        func client(_ peer: PeerConfiguration) -> RPCClient {
            peer.makeClient(interceptors: [MetricsClientInterceptor(), ActorClientInterceptor()])
        }
        self.init(
            ingest: client(configuration.ingest), alerting: client(configuration.alerting), scheduling: client(configuration.scheduling),
            detection: configuration.detectionReplicas.map(client))
    }

    /// Clients made elsewhere (tests hand in clients of services they run in-process).
    public init(ingest: RPCClient, alerting: RPCClient, scheduling: RPCClient, detection: [RPCClient]) {
        self.ingest = IngestServiceClient(ingest)
        self.alerting = AlertingServiceClient(alerting)
        self.scheduling = SchedulingServiceClient(scheduling)
        self.detection = detection.map(DetectionServiceClient.init)
        let replicas =
            detection.count == 1
            ? [("detection", detection[0])]
            : detection.enumerated().map { ("detection-\($0.offset)", $0.element) }
        self.byName = [("ingest", ingest)] + replicas + [("alerting", alerting), ("scheduling", scheduling)]
    }

    /// The Detection replica that owns a machine.
    func detection(for equipmentID: Int64) -> DetectionServiceClient {
        detection[DetectionShards.owner(of: equipmentID, count: detection.count)]
    }

    var health: [(name: String, client: HealthClient)] {
        byName.map { ($0.name, HealthClient($0.client)) }
    }
}
