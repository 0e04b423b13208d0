import Foundation

/// What a technician should look at when a sensor drives an anomaly, and the recommendation in words
/// that a prediction carries: which sensors departed from this machine's normal, how, and the advice
/// for the top one ("vibration above this machine's normal (9.00, normally 2.50), temperature
/// following: inspect bearings, alignment and lubrication").
enum SensorAdvice {
    /// Advice per sensor and direction of the departure.
    static let table: [String: (above: String, below: String)] = [
        "vibration": ("inspect bearings, alignment and lubrication", "check the sensor's mounting and whether the machine is running"),
        "temperature": ("check cooling, lubrication and load", "check the sensor and whether the machine is running"),
        "pressure": ("check for blockages downstream and the relief valve", "check for leaks, worn seals and the pump's inlet"),
        "power_consumption": (
            "check for mechanical binding, overload or electrical faults", "check the supply and whether the machine is idling"
        ),
        "efficiency": ("check the sensor's calibration", "check for fouling, wear or blockage; clean and recalibrate"),
    ]

    /// The recommendation for sensors that drove a score, largest share first: `(name, value, normal)`.
    static func recommendation(for sensors: [(name: String, value: Double, normal: Double)], severity: String) -> String {
        guard let top = sensors.first else { return "" }
        let direction = top.value >= top.normal ? "above" : "below"
        var text =
            "\(top.name.replacingOccurrences(of: "_", with: " ")) \(direction) this machine's normal "
            + "(\(String(format: "%.2f", top.value)), normally \(String(format: "%.2f", top.normal)))"
        if sensors.count > 1 {
            text +=
                ", " + sensors.dropFirst().map { $0.name.replacingOccurrences(of: "_", with: " ") }.joined(separator: " and ")
                + " following"
        }
        let advice = table[top.name].map { direction == "above" ? $0.above : $0.below } ?? "inspect the machine"
        return "\(text): \(advice). \(severity)"
    }
}
