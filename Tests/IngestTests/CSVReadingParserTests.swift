import Ingest
import PMProto
import ReadingFormats
import Testing

@Suite("CSV import parsing")
struct CSVReadingParserTests {
    @Test("our own columns, comma-separated, ISO 8601 and Unix timestamps")
    func ownFormat() throws {
        let csv = """
            timestamp,temperature,vibration,pressure,power_consumption,efficiency,reading_id
            2025-11-20T10:00:00Z,70.5,2.1,101,15,91,a
            2025-11-20T10:00:01.250Z,70.6,2.2,102,16,92,b
            1763632802,70.7,2.3,103,17,93,c
            1763632803500,70.8,2.4,104,18,94,d
            """
        let readings = try CSVReadingParser(equipmentID: 3).parse(csv)
        #expect(readings.map(\.timestampMs) == [1_763_632_800_000, 1_763_632_801_250, 1_763_632_802_000, 1_763_632_803_500])
        #expect(readings.map(\.readingID) == ["a", "b", "c", "d"])
        #expect(readings.allSatisfy { $0.equipmentID == 3 })
        #expect(
            readings[3]
                == Reading(
                    equipmentID: 3, timestampMs: 1_763_632_803_500, temperature: 70.8, vibration: 2.4,
                    pressure: 104, powerConsumption: 18, efficiency: 94, readingID: "d"))
    }

    @Test("a public data set's columns (SKAB: semicolons, other names), mapped and completed with constants")
    func mappedColumns() throws {
        let csv = """
            \u{FEFF}datetime;Accelerometer1RMS;Accelerometer2RMS;Current;Pressure;Temperature;Thermocouple;Voltage;Volume Flow RateRMS
            2020-02-08 13:30:47;0.202394;0.275154;2.16975;0.382638;90.6454;26.8508;238.852;122.664
            2020-02-08 13:30:48;0.203153;0.277857;2.07999;-0.273216;90.7978;26.8639;227.943;122.338
            """
        let parser = CSVReadingParser(
            equipmentID: 5,
            columns: [
                "temperature": "Temperature", "vibration": "Accelerometer1RMS", "pressure": "Pressure", "power_consumption": "Current",
            ],
            constants: ["efficiency": 90]
        )
        let readings = try parser.parse(csv)
        #expect(readings.count == 2)
        #expect(readings[0].timestampMs == 1_581_168_647_000)
        #expect(readings[1].pressure == -0.273216)
        #expect(readings[1].efficiency == 90)
        #expect(readings[0].powerConsumption == 2.16975)
    }

    @Test("errors name the line and the problem")
    func errors() {
        #expect(throws: CSVReadingParser.LineError.self) {
            try CSVReadingParser(equipmentID: 1).parse("timestamp,temperature\n2026-01-01T00:00:00Z,1\n")
        }
        let badNumber = "timestamp,temperature,vibration,pressure,power_consumption,efficiency\n2026-01-01T00:00:00Z,hot,1,1,1,1\n"
        do {
            _ = try CSVReadingParser(equipmentID: 1).parse(badNumber)
            Issue.record("expected an error")
        } catch let error as CSVReadingParser.LineError {
            #expect(error.line == 2)
            #expect(error.reason.contains("temperature 'hot'"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(
        "a number that is no time (NaN, infinite, past year 9999) is a line error, not a trap", arguments: ["nan", "inf", "1e30", "-1e30"])
    func timestampsBeyondRange(text: String) {
        let csv = "timestamp,temperature,vibration,pressure,power_consumption,efficiency\n\(text),70,2,100,80,90\n"
        #expect(throws: CSVReadingParser.LineError.self) { try CSVReadingParser(equipmentID: 1).parse(csv) }
    }

    @Test("ISO times with offsets and fractions are read exactly")
    func isoTimes() throws {
        let csv = "timestamp,temperature,vibration,pressure,power_consumption,efficiency\n2026-12-05T12:00:00.250+02:00,70,2,100,80,90\n"
        #expect(try CSVReadingParser(equipmentID: 1).parse(csv).first?.timestampMs == 1_796_464_800_250)
    }
}
