import Foundation

/// What a technician should look at when a sensor drives an anomaly, per machine type, and the
/// recommendation in words that a prediction carries: which sensors departed from this machine's
/// normal, how, and the advice for the top one ("vibration above this machine's normal (9.00, normally
/// 2.50), temperature following: check spindle bearings, tool wear and workpiece clamping").
///
/// Advice is looked up for the machine's type, then for any type (`*`). A deployment adds or replaces
/// entries with a JSON file (`DETECTION_ADVICE_FILE`): `{"<type or *>": {"<sensor>": {"above": "...",
/// "below": "..."}}}`, either direction optional.
struct SensorAdvice: Sendable, Equatable {
    enum Direction: String, Sendable { case above, below }

    /// Machine type ("*": any), then sensor, then direction.
    private(set) var entries: [String: [String: [Direction: String]]]

    static let anyType = "*"

    static let builtIn = SensorAdvice(entries: [
        anyType: [
            "vibration": [
                .above: "inspect bearings, alignment and lubrication",
                .below: "check the sensor's mounting and whether the machine is running",
            ],
            "temperature": [.above: "check cooling, lubrication and load", .below: "check the sensor and whether the machine is running"],
            "pressure": [
                .above: "check for blockages downstream and the relief valve", .below: "check for leaks, worn seals and the pump's inlet",
            ],
            "power_consumption": [
                .above: "check for mechanical binding, overload or electrical faults",
                .below: "check the supply and whether the machine is idling",
            ],
            "efficiency": [.above: "check the sensor's calibration", .below: "check for fouling, wear or blockage; clean and recalibrate"],
        ],
        "hydraulic_press": [
            "pressure": [.below: "check the hydraulic fluid level, the seals and the pump"],
            "temperature": [.above: "check the oil cooler and the hydraulic fluid's condition"],
        ],
        "cnc_mill": [
            "vibration": [.above: "check spindle bearings, tool wear and workpiece clamping"],
            "power_consumption": [.above: "check for a worn tool, spindle binding or overload"],
        ],
        "air_compressor": [
            "pressure": [.below: "check for air leaks, the intake filter and the valves"],
            "temperature": [.above: "check the cooler, the oil level and the intake filter"],
        ],
        "conveyor_motor": [
            "vibration": [.above: "check belt tension and alignment, the rollers and the motor's bearings"],
            "power_consumption": [.above: "check for a jammed belt, seized rollers or overload"],
        ],
        "industrial_pump": [
            "pressure": [.below: "check for cavitation, a worn impeller or seals, and the inlet"],
            "vibration": [.above: "check the pump's bearings, impeller balance and for cavitation"],
        ],
        "hvac_chiller": [
            "pressure": [.below: "check the refrigerant charge and for leaks"],
            "efficiency": [.below: "clean the condenser and evaporator coils; check the refrigerant charge"],
        ],
    ])

    /// The advice for `sensor` departing in `direction` on a machine of `type`.
    func advice(type: String?, sensor: String, direction: Direction) -> String {
        type.flatMap { entries[$0]?[sensor]?[direction] } ?? entries[Self.anyType]?[sensor]?[direction] ?? "inspect the machine"
    }

    /// The built-in advice with a file's entries added, or replacing those of the same type, sensor and
    /// direction. Throws a message naming the entry that is not as the format says.
    func adding(file path: String, sensors: [String]) throws -> SensorAdvice {
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem("cannot be read") }
        guard let types = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Problem("is not a JSON object of machine types")
        }
        var result = self
        for (type, bySensor) in types {
            guard let bySensor = bySensor as? [String: Any] else { throw Problem("\(type): must be an object of sensors") }
            for (sensor, byDirection) in bySensor {
                guard sensors.contains(sensor) else {
                    throw Problem("\(type).\(sensor): unknown sensor (one of \(sensors.joined(separator: ", ")))")
                }
                guard let byDirection = byDirection as? [String: Any] else {
                    throw Problem("\(type).\(sensor): must be an object with \"above\" and/or \"below\"")
                }
                for (name, text) in byDirection {
                    guard let direction = Direction(rawValue: name) else {
                        throw Problem("\(type).\(sensor).\(name): the direction must be \"above\" or \"below\"")
                    }
                    guard let text = text as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                        throw Problem("\(type).\(sensor).\(name): must be a non-empty string")
                    }
                    result.entries[type, default: [:]][sensor, default: [:]][direction] = text
                }
            }
        }
        return result
    }

    /// Why an advice file was refused.
    struct Problem: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The recommendation for sensors that drove a score, largest share first: `(name, value, normal)`.
    func recommendation(for sensors: [(name: String, value: Double, normal: Double)], machineType: String?, severity: String) -> String {
        guard let top = sensors.first else { return "" }
        let direction: Direction = top.value >= top.normal ? .above : .below
        var text =
            "\(top.name.replacingOccurrences(of: "_", with: " ")) \(direction.rawValue) this machine's normal "
            + "(\(String(format: "%.2f", top.value)), normally \(String(format: "%.2f", top.normal)))"
        if sensors.count > 1 {
            text +=
                ", " + sensors.dropFirst().map { $0.name.replacingOccurrences(of: "_", with: " ") }.joined(separator: " and ")
                + " following"
        }
        return "\(text): \(advice(type: machineType, sensor: top.name, direction: direction)). \(severity)"
    }
}
