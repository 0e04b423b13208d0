import PMProto
import Testing

/// protobuf-c hands strings over as C strings; a string the Swift side cannot hold exactly (an
/// embedded NUL would cut it, invalid UTF-8 would be repaired) is refused at decode, naming the field,
/// so two different keys can never compare equal after decoding.
@Suite("String fields")
struct StringFieldTests {
    /// `message` encoded, with every byte `X` (0x58) of its strings replaced by `byte`.
    static func encoded(_ message: some ProtoMessage, replacingX byte: UInt8) -> [UInt8] {
        message.serializedBytes().map { $0 == UInt8(ascii: "X") ? byte : $0 }
    }

    @Test("a NUL inside a string is refused, naming the field")
    func embeddedNul() {
        let bytes = Self.encoded(Reading(equipmentID: 1, readingID: "f19-nulXa"), replacingX: 0)
        #expect {
            _ = try Reading(serializedBytes: bytes)
        } throws: { error in
            let field = (error as? ProtoDecodingError)?.invalidField
            return field?.field == "reading_id" && field?.reason == "contains a NUL byte"
        }
    }

    @Test("invalid UTF-8 is refused, naming the field")
    func invalidUTF8() {
        let bytes = Self.encoded(Equipment(id: 1, name: "PumpX"), replacingX: 0xFF)
        #expect {
            _ = try Equipment(serializedBytes: bytes)
        } throws: { error in
            (error as? ProtoDecodingError)?.invalidField?.description == "name is not valid UTF-8"
        }
    }

    @Test("the path names the element inside nested and repeated fields")
    func nestedPath() {
        let request = RecordReadingsRequest(readings: [Reading(readingID: "ok"), Reading(readingID: "badX")])
        #expect {
            _ = try RecordReadingsRequest(serializedBytes: Self.encoded(request, replacingX: 0))
        } throws: { error in
            (error as? ProtoDecodingError)?.invalidField?.field == "readings[1].reading_id"
        }
        let columns = ReadingColumns(equipmentID: [1, 1], readingID: ["a", "bX"])
        #expect {
            _ = try ReadingColumns(serializedBytes: Self.encoded(columns, replacingX: 0))
        } throws: { error in
            (error as? ProtoDecodingError)?.invalidField?.field == "reading_id[1]"
        }
    }

    @Test("any valid UTF-8 string, empty ones and unset ones decode unchanged")
    func validStrings() throws {
        let names = ["", "Pumpe Nr. 3 – Halle Süd", "压缩机", "🛠️ line 2", String(repeating: "x", count: 5000)]
        for name in names {
            let equipment = Equipment(id: 7, name: name, type: "pump")
            #expect(try Equipment(serializedBytes: equipment.serializedBytes()) == equipment)
        }
        #expect(try Equipment(serializedBytes: Equipment(id: 8).serializedBytes()).name == "")
    }
}
