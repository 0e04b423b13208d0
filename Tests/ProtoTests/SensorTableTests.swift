import PMProto
import Testing

/// The sensor table (`Sensor.all`) must name every sensor field of the contract, and each row's key
/// paths must point at the field of its own name: validation, CSV import, SQL and buckets rely on it.
@Suite("Sensor table")
struct SensorTableTests {
    /// `power_consumption` -> `powerConsumption`, the generated property's name.
    static func propertyName(_ snake: String) -> String {
        let parts = snake.split(separator: "_")
        return String(parts[0]) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The labels of `value`'s stored properties whose value satisfies `matches`.
    static func labels(of value: Any, where matches: (Any) -> Bool) -> Set<String> {
        Set(Mirror(reflecting: value).children.compactMap { child in matches(child.value) ? child.label : nil })
    }

    @Test("every double field of Reading is a sensor in the table, and only those")
    func tableCoversReading() {
        let doubles = Self.labels(of: Reading()) { $0 is Double }
        #expect(doubles == Set(Sensor.all.map { Self.propertyName($0.name) }))
        #expect(Set(Sensor.all.map(\.name)).count == Sensor.all.count)
    }

    @Test("each sensor's key paths reach the field of its name in Reading, ReadingColumns and ReadingBucket")
    func keyPathsMatchNames() {
        for sensor in Sensor.all {
            let property = Self.propertyName(sensor.name)
            var reading = Reading()
            reading[keyPath: sensor.reading] = 42
            #expect(Self.labels(of: reading) { ($0 as? Double) == 42 } == [property])
            var columns = ReadingColumns()
            columns[keyPath: sensor.columns] = [42]
            #expect(Self.labels(of: columns) { ($0 as? [Double]) == [42] } == [property])
            var bucket = ReadingBucket()
            bucket[keyPath: sensor.bucket] = SensorSummary(min: 42)
            #expect(Self.labels(of: bucket) { ($0 as? SensorSummary)?.min == 42 } == [property])
            #expect(sensor.validRange.lowerBound < sensor.validRange.upperBound)
            #expect(!sensor.unit.isEmpty)
        }
    }

    @Test("readings survive the trip through columns with every sensor in its own column")
    func columnsRoundTrip() throws {
        let readings = (0..<3).map { row in
            var reading = Reading(equipmentID: Int64(row + 1), timestampMs: 1_000 + Int64(row))
            for (index, sensor) in Sensor.all.enumerated() { reading[keyPath: sensor.reading] = Double(row * 10 + index) }
            return reading
        }
        #expect(try ReadingColumns(readings).readings() == readings)
    }
}
