/// The sensors of a reading, in one table. A sensor's `name` is its field in the contract
/// (`Reading`, `ReadingColumns`, `ReadingBucket`), its SQL column, its CSV header and its JSON key;
/// the key paths say where it lives in each message.
///
/// Adding a sensor: add the field to those three messages in `Proto/`, regenerate, add a row here.
/// `SensorTableTests` fails while a `double` field of `Reading` has no row; validation, CSV import, the
/// SQL mapping and the bucket summaries all iterate this table.
public struct Sensor: Sendable, Hashable, CustomStringConvertible {
    /// The field name in the contract, the SQL column, the CSV header and the JSON key: `power_consumption`.
    public let name: String
    /// The unit the value is in, for messages and charts: `°C`, `mm/s`, `kPa gauge`, `kW`, `%`.
    public let unit: String
    /// Physically plausible values; anything outside is a sensor fault or a unit mistake.
    public let validRange: ClosedRange<Double>
    /// Where the sensor lives in a `Reading`.
    public let reading: any WritableKeyPath<Reading, Double> & Sendable
    /// Its column in a `ReadingColumns` batch.
    public let columns: any WritableKeyPath<ReadingColumns, [Double]> & Sendable
    /// Its min/max/mean summary in a `ReadingBucket`.
    public let bucket: any WritableKeyPath<ReadingBucket, SensorSummary?> & Sendable
    /// Where ``reading`` is inside a `Reading`'s memory: setting a value through a key path costs
    /// ~30 ns, which made decoding a columnar batch 4× slower; a store at the offset costs ~1 ns.
    private let readingOffset: Int

    init(
        name: String, unit: String, validRange: ClosedRange<Double>,
        reading: any WritableKeyPath<Reading, Double> & Sendable,
        columns: any WritableKeyPath<ReadingColumns, [Double]> & Sendable,
        bucket: any WritableKeyPath<ReadingBucket, SensorSummary?> & Sendable
    ) {
        self.name = name
        self.unit = unit
        self.validRange = validRange
        self.reading = reading
        self.columns = columns
        self.bucket = bucket
        // Stored properties always have an offset; the table only names stored properties.
        self.readingOffset = MemoryLayout<Reading>.offset(of: reading)!
    }

    /// Sets this sensor's value in `reading`, as `reading[keyPath: reading] = value` does.
    @inline(__always)
    public func store(_ value: Double, in reading: inout Reading) {
        withUnsafeMutablePointer(to: &reading) { store(value, at: $0) }
    }

    /// Sets this sensor's value in the reading at `pointer`: the per-row loop of batch decoding.
    @inline(__always)
    public func store(_ value: Double, at pointer: UnsafeMutablePointer<Reading>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, toByteOffset: readingOffset, as: Double.self)
    }

    /// Machine temperature, °C.
    public static let temperature = Sensor(
        name: "temperature", unit: "°C", validRange: -100...1000,
        reading: \.temperature, columns: \.temperature, bucket: \.temperature
    )
    /// Vibration velocity (RMS), mm/s.
    public static let vibration = Sensor(
        name: "vibration", unit: "mm/s", validRange: 0...1000,
        reading: \.vibration, columns: \.vibration, bucket: \.vibration
    )
    /// Pressure above atmospheric, kPa (may be slightly negative: a vacuum).
    public static let pressure = Sensor(
        name: "pressure", unit: "kPa gauge", validRange: -110...100_000,
        reading: \.pressure, columns: \.pressure, bucket: \.pressure
    )
    /// Electrical power drawn, kW.
    public static let powerConsumption = Sensor(
        name: "power_consumption", unit: "kW", validRange: 0...100_000,
        reading: \.powerConsumption, columns: \.powerConsumption, bucket: \.powerConsumption
    )
    /// Efficiency, percent.
    public static let efficiency = Sensor(
        name: "efficiency", unit: "%", validRange: 0...100,
        reading: \.efficiency, columns: \.efficiency, bucket: \.efficiency
    )

    /// Every sensor, in the contract's field order.
    public static let all: [Sensor] = [.temperature, .vibration, .pressure, .powerConsumption, .efficiency]

    /// The sensor's name.
    public var description: String { name }

    /// Sensors are the same when their names are: key paths do not compare.
    public static func == (lhs: Sensor, rhs: Sensor) -> Bool { lhs.name == rhs.name }
    /// Hashes the name, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
