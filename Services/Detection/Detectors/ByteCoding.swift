/// A little-endian byte encoding for detector state, so that a model survives a restart bit for bit.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write(_ values: [Double]) {
        write(values.count)
        #if _endian(little)
            // One copy of the array's bytes: models are saved after every stream message.
            values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
            for value in values { write(value) }
        #endif
    }
}

/// Reads what ``ByteWriter`` wrote; throws on bytes that end early.
public struct ByteReader {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public struct Truncated: Error {}
    /// Bytes that decode but do not describe a valid state (another format, impossible sizes).
    public struct Malformed: Error {}

    public mutating func readUInt64() throws -> UInt64 {
        guard position + 8 <= bytes.count else { throw Truncated() }
        var value: UInt64 = 0
        for offset in (0..<8).reversed() { value = value << 8 | UInt64(bytes[position + offset]) }
        position += 8
        return value
    }

    public mutating func readInt() throws -> Int { Int(Int64(bitPattern: try readUInt64())) }
    public mutating func readDouble() throws -> Double { Double(bitPattern: try readUInt64()) }

    public mutating func readUInt8() throws -> UInt8 {
        guard position < bytes.count else { throw Truncated() }
        position += 1
        return bytes[position - 1]
    }

    public mutating func readBool() throws -> Bool { try readUInt8() != 0 }

    public mutating func readDoubles() throws -> [Double] {
        let count = try readInt()
        guard count >= 0, count <= (bytes.count - position) / 8 else { throw Truncated() }
        #if _endian(little)
            let values = [Double](unsafeUninitializedCapacity: count) { buffer, initialised in
                bytes.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: source[position..<position + 8 * count]))
                }
                initialised = count
            }
            position += 8 * count
            return values
        #else
            return try (0..<count).map { _ in try readDouble() }
        #endif
    }
}
