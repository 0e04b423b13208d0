import Hummingbird

/// Writes JSON text field by field. Responses are built with it rather than `Encodable` because the API
/// writes `null` for absent values (Codable omits them) and because it is several times faster than
/// Foundation's encoder on the per-reading paths.
struct JSONWriter {
    private(set) var text = ""
    /// Whether the open object or array at each depth already holds a value (the next needs a comma).
    private var hasValue: [Bool] = [false]

    /// A JSON document whose top level `write` produces.
    static func document(_ write: (inout JSONWriter) -> Void) -> JSONWriter {
        var writer = JSONWriter()
        write(&writer)
        return writer
    }

    mutating func object(_ fields: (inout JSONWriter) -> Void) {
        separate()
        text += "{"
        hasValue.append(false)
        fields(&self)
        hasValue.removeLast()
        text += "}"
    }

    mutating func array<Element>(_ elements: some Sequence<Element>, _ write: (inout JSONWriter, Element) -> Void) {
        separate()
        text += "["
        hasValue.append(false)
        for element in elements { write(&self, element) }
        hasValue.removeLast()
        text += "]"
    }

    mutating func key(_ name: String) {
        separate()
        text += "\"" + name + "\":"
        // The value that follows needs no comma of its own.
        hasValue[hasValue.count - 1] = false
    }

    mutating func string(_ value: String?) {
        separate()
        guard let value else {
            text += "null"
            return
        }
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    mutating func number(_ value: Double?) {
        separate()
        guard let value, value.isFinite else {
            text += "null"
            return
        }
        text += "\(value)"
    }

    mutating func integer<Value: BinaryInteger>(_ value: Value?) {
        separate()
        text += value.map { "\($0)" } ?? "null"
    }

    mutating func bool(_ value: Bool) {
        separate()
        text += value ? "true" : "false"
    }

    mutating func null() {
        separate()
        text += "null"
    }

    // Convenience: `"name": value`.
    mutating func field(_ name: String, _ value: String?) {
        key(name)
        string(value)
    }
    mutating func field(_ name: String, _ value: Double?) {
        key(name)
        number(value)
    }
    mutating func field<Value: BinaryInteger>(_ name: String, _ value: Value?) {
        key(name)
        integer(value)
    }
    mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }
    mutating func field(_ name: String, strings: [String]) {
        key(name)
        array(strings) { $0.string($1) }
    }
    mutating func field(_ name: String, object: (inout JSONWriter) -> Void) {
        key(name)
        self.object(object)
    }

    private mutating func separate() {
        if hasValue[hasValue.count - 1] { text += "," }
        hasValue[hasValue.count - 1] = true
    }

    /// The document as a 200 (or `status`) JSON response.
    func response(status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
