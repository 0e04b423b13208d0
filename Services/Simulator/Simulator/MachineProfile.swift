/// How a healthy machine of one type behaves: its sensors' baselines and noise, and how strongly the
/// daily load cycle moves them.
public struct MachineProfile: Sendable {
    public var temperature: Double
    public var vibration: Double
    public var pressure: Double
    public var power: Double
    public var efficiency: Double
    /// Relative sensor noise (standard deviation as a fraction of the baseline).
    public var noise: Double
    /// Amplitude of the daily load swing (fraction of nominal load).
    public var dailySwing: Double

    public static func forType(_ type: String) -> MachineProfile {
        profiles[type] ?? generic
    }

    static let generic = MachineProfile(
        temperature: 60, vibration: 2.5, pressure: 300, power: 15, efficiency: 90, noise: 0.02, dailySwing: 0.15)

    static let profiles: [String: MachineProfile] = [
        "hydraulic_press": MachineProfile(
            temperature: 55, vibration: 3.5, pressure: 650, power: 30, efficiency: 88, noise: 0.025, dailySwing: 0.25),
        "cnc_mill": MachineProfile(temperature: 45, vibration: 2.2, pressure: 600, power: 12, efficiency: 90, noise: 0.02, dailySwing: 0.3),
        "air_compressor": MachineProfile(
            temperature: 75, vibration: 4.0, pressure: 800, power: 22, efficiency: 85, noise: 0.02, dailySwing: 0.2),
        "conveyor_motor": MachineProfile(
            temperature: 50, vibration: 1.8, pressure: 101, power: 7.5, efficiency: 92, noise: 0.015, dailySwing: 0.35),
        "industrial_pump": MachineProfile(
            temperature: 48, vibration: 2.8, pressure: 350, power: 18, efficiency: 87, noise: 0.02, dailySwing: 0.2),
        "hvac_chiller": MachineProfile(
            temperature: 12, vibration: 1.5, pressure: 450, power: 40, efficiency: 80, noise: 0.015, dailySwing: 0.4),
    ]
}
