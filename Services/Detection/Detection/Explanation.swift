import Detectors
import Foundation
import PMMath
import PMProto

/// A verdict in words: the prediction stored for a reading in alarm, and the alert it raises. The kind
/// of the alert is the feature that drove the score most (`anomaly:vibration`), so that Alerting keeps
/// one alert per machine and real problem.
struct Explanation {
    /// The seed's advice per severity.
    static let recommendations: [VerdictSeverity: String] = [
        .critical: "Immediate inspection required; schedule emergency maintenance.",
        .warning: "Schedule maintenance within the week and monitor closely.",
        .monitoring: "Anomalous reading; continue monitoring.",
    ]

    let verdict: Verdict
    let reading: Reading
    /// The machine's health after this reading (none for a reading that is only judged).
    var health = HealthTrend()
    let advice: SensorAdvice
    /// The machine's type, for the advice (nil until Ingest has been asked).
    let machineType: String?

    var topFeature: String {
        verdict.contributions.first.map { MachineModels.features[$0.feature] } ?? "multiple"
    }

    /// From the machine's health trend; 0 when it is not degrading.
    var predictedFailureMs: Int64 { health.failure?.atMs ?? 0 }

    /// Hours from this reading to `ms`.
    private func hours(until ms: Int64) -> Double { (Double(ms - reading.timestampMs) / 3_600_000 * 100).rounded() / 100 }

    var prediction: Prediction {
        let values = MachineModels.row(of: reading)
        return Prediction(
            equipmentID: reading.equipmentID, timestampMs: reading.timestampMs, predictionType: "anomaly_\(verdict.severity.name)",
            confidence: verdict.confidence, severity: Self.severity(verdict.severity),
            predictedFailureDate: predictedFailureMs > 0 ? UTCDate.of(ms: predictedFailureMs) : "",
            remainingUsefulLifeHours: health.failure.map { hours(until: $0.atMs) },
            recommendation: advice.recommendation(
                for: drivers(values), machineType: machineType, severity: Self.recommendations[verdict.severity] ?? ""),
            explanation: verdict.contributions.map { contribution in
                FeatureContribution(
                    feature: MachineModels.features[contribution.feature], contribution: contribution.share,
                    value: values[contribution.feature],
                    expected: verdict.expected.isEmpty ? 0 : verdict.expected[contribution.feature])
            },
            healthScore: health.health,
            remainingLifeLowerHours: health.failure.map { hours(until: $0.earliestMs) },
            remainingLifeUpperHours: health.failure?.latestMs.map { hours(until: $0) })
    }

    /// The sensors that drove the score (a fifth of it or more), largest share first, with their
    /// value and this machine's normal one.
    func drivers(_ values: [Double]) -> [(name: String, value: Double, normal: Double)] {
        verdict.contributions.prefix(3).filter { $0.share >= 0.2 }.map { contribution in
            (
                MachineModels.features[contribution.feature], values[contribution.feature],
                verdict.expected.isEmpty ? 0 : verdict.expected[contribution.feature]
            )
        }
    }

    /// The alert, with an event id fixed by machine and reading, so that a retry or a restart that
    /// scores the reading again raises the same event.
    func alert(sequence: UInt64) -> RaiseAlertRequest {
        let sensors = drivers(MachineModels.row(of: reading)).map(\.name)
        let values = zip(MachineModels.features, MachineModels.row(of: reading)).map { "\($0)=\(String(format: "%.2f", $1))" }
        return RaiseAlertRequest(
            eventID: "detection-\(reading.equipmentID)-\(sequence)", equipmentID: reading.equipmentID,
            severity: Self.severity(verdict.severity),
            title: "\(verdict.severity.name.capitalized) anomaly: \(topFeature.replacingOccurrences(of: "_", with: " "))",
            description: "Anomaly confidence \(verdict.confidence)% (\(values.joined(separator: ", ")))",
            timestampMs: reading.timestampMs, source: "detection", kind: "anomaly:\(topFeature)", confidence: verdict.confidence,
            sensors: sensors, predictedFailureMs: predictedFailureMs)
    }

    static func severity(_ severity: VerdictSeverity) -> Severity {
        switch severity {
        case .critical: .critical
        case .warning: .warning
        case .monitoring, .normal: .info
        }
    }
}

extension VerdictSeverity {
    var name: String {
        switch self {
        case .normal: "normal"
        case .monitoring: "monitoring"
        case .warning: "warning"
        case .critical: "critical"
        }
    }
}
