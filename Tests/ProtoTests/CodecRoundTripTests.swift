@_spi(RPCWire) import PMProto
import Testing

@Suite("protobuf-c codec")
struct CodecRoundTripTests {
    static func roundTrip<M: ProtoMessage>(_ message: M) throws -> M {
        try M(serializedBytes: message.serializedBytes())
    }

    @Test("every message type survives a round trip with default values", arguments: allProtoMessageTypes.map(TypeBox.init))
    func defaultValues(type: TypeBox) throws {
        try type.checkEmptyRoundTrip()
    }

    @Test("a reading keeps every field, including extreme and non-finite values")
    func readingFields() throws {
        let readings = [
            Reading(
                equipmentID: 7, timestampMs: 1_763_800_000_123, temperature: 71.25, vibration: 0.003,
                pressure: -1.5, powerConsumption: 1e300, efficiency: -0.0, sequence: .max, readingID: "r-1"),
            Reading(
                equipmentID: .min, timestampMs: .max, temperature: .infinity, vibration: -.infinity,
                pressure: .leastNonzeroMagnitude, powerConsumption: .greatestFiniteMagnitude, efficiency: 0),
        ]
        for reading in readings {
            #expect(try Self.roundTrip(reading) == reading)
        }
        let nan = try Self.roundTrip(Reading(temperature: .nan))
        #expect(nan.temperature.isNaN)
        // protobuf-c treats -0.0 as the default and omits it, so it arrives as +0.0 (PROTOCOL.md notes it).
        #expect(try Self.roundTrip(Reading(efficiency: -0.0)).efficiency == 0)
    }

    @Test("strings: empty, unicode, long")
    func strings() throws {
        for name in ["", "Pompe de refroidissement — bâtiment B ✓ 冷却泵", String(repeating: "x", count: 100_000)] {
            let equipment = Equipment(id: 1, name: name, type: name, location: "")
            #expect(try Self.roundTrip(equipment) == equipment)
        }
    }

    @Test("repeated messages, repeated scalars and nested messages")
    func repeatedFields() throws {
        let batch = RecordReadingsRequest(
            readings: (0..<1000).map {
                Reading(equipmentID: Int64($0 % 6 + 1), timestampMs: Int64($0), temperature: Double($0) / 3)
            })
        #expect(try Self.roundTrip(batch) == batch)
        let latest = LatestReadingsRequest(equipmentIDs: [1, -2, .max, .min], perEquipment: 3)
        #expect(try Self.roundTrip(latest) == latest)
        let score = Score(
            equipmentID: 1,
            contributions: [
                FeatureContribution(feature: "vibration", contribution: 0.7, value: 4.2, expected: 1.1),
                FeatureContribution(feature: "temperature", contribution: 0.3),
            ])
        #expect(try Self.roundTrip(ScoreResponse(scores: [score, Score()])) == ScoreResponse(scores: [score, Score()]))
        let response = GetEquipmentResponse(equipment: Equipment(id: 3), latestReading: Reading(equipmentID: 3))
        #expect(try Self.roundTrip(response) == response)
    }

    @Test("readings survive the trip through columns, with and without the optional columns")
    func readingColumns() throws {
        let plain = (0..<500).map {
            Reading(equipmentID: Int64($0 % 7), timestampMs: Int64($0) * 1000, temperature: Double($0), efficiency: -.infinity)
        }
        let columns = ReadingColumns(plain)
        #expect(columns.sequence.isEmpty && columns.readingID.isEmpty)
        #expect(try Self.roundTrip(columns).readings() == plain)
        var tagged = plain
        tagged[3].readingID = "r3"
        tagged[4].sequence = 99
        #expect(try Self.roundTrip(ReadingColumns(tagged)).readings() == tagged)
        #expect(try ReadingColumns([]).readings().isEmpty)
    }

    @Test("columns of unequal length are refused, naming the column")
    func readingColumnsMismatch() {
        var columns = ReadingColumns([Reading(equipmentID: 1), Reading(equipmentID: 2)])
        columns.pressure.removeLast()
        do {
            _ = try columns.readings()
            Issue.record("expected a mismatch")
        } catch let mismatch as ReadingColumnsMismatch {
            #expect(mismatch.field == "columns.pressure")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("one-field oneofs keep presence, even of zero values")
    func explicitPresence() throws {
        let present = UpdateEquipmentRequest(equipmentID: 1, name: "", status: .healthy)
        let decoded = try Self.roundTrip(present)
        #expect(decoded.name == "")
        #expect(decoded.type == nil)
        #expect(decoded.status == .healthy)
        #expect(try Self.roundTrip(ListAlertsRequest(acknowledged: false)).acknowledged == false)
        #expect(try Self.roundTrip(ListAlertsRequest()).acknowledged == nil)
        #expect(try Self.roundTrip(ReadingStatsResponse(avgEfficiencySince: 0)).avgEfficiencySince == 0)
    }

    @Test("bytes, including a large payload")
    func bytes() throws {
        let large = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for payload in [[], [0], large] {
            let frame = Frame(callID: 9, type: .message, payload: payload)
            #expect(try Self.roundTrip(frame) == frame)
        }
        #expect(try Self.roundTrip(Frame(callID: 1)).payload == nil)
    }

    @Test("open enums keep values this build does not know")
    func unknownEnumValues() throws {
        let alert = Alert(id: 1, severity: Severity(rawValue: 42), state: .acknowledged)
        let decoded = try Self.roundTrip(alert)
        #expect(decoded.severity.rawValue == 42)
        #expect(decoded.severity.isKnown == false)
        #expect(Severity(shortName: "critical") == .critical)
        #expect(TaskStatus.inProgress.shortName == "in_progress")
    }

    @Test("bytes that are not a message are refused", arguments: [[0xFF], [0x0A, 0x05, 0x01], [0x08]] as [[UInt8]])
    func garbageIsRefused(bytes: [UInt8]) {
        #expect(throws: ProtoDecodingError.self) { try Reading(serializedBytes: bytes) }
    }
}

/// Lets a parameterised test name each message type.
struct TypeBox: CustomTestStringConvertible, Sendable {
    let type: any ProtoMessage.Type

    var testDescription: String { "\(type)" }

    func checkEmptyRoundTrip() throws {
        try type.checkEmptyRoundTrip()
    }
}

extension ProtoMessage {
    static func checkEmptyRoundTrip() throws {
        let empty = try Self(serializedBytes: [UInt8]())
        #expect(empty.serializedBytes().isEmpty)
        #expect(try Self(serializedBytes: empty.serializedBytes()) == empty)
    }
}
