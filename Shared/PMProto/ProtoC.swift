import CProtobufC

/// Conversions from protoc-c's decoded C values to Swift values, used by generated code.
@_spi(ProtoC) public enum ProtoC {
    /// A C string field as a Swift string; a null pointer (unset) is "".
    public static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// A `bytes` field as a byte array (copied).
    public static func binary(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let bytes = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: data.len))
    }

    /// A C enum value as the open Swift enum (unknown numbers are kept).
    public static func enumValue<E: ProtoEnum, C: RawRepresentable>(_ value: C) -> E where C.RawValue: FixedWidthInteger {
        E(rawValue: Int32(truncatingIfNeeded: value.rawValue))
    }

    /// A Swift enum value as protoc-c's C enum type.
    public static func cEnum<E: ProtoEnum, C: RawRepresentable>(_ value: E) -> C where C.RawValue: FixedWidthInteger {
        C(rawValue: C.RawValue(truncatingIfNeeded: value.rawValue))!
    }

    /// A sub-message, or nil when the C pointer is null (unset).
    public static func message<M: ProtoMessage>(_ pointer: UnsafeMutablePointer<M.CStruct>?) -> M? {
        pointer.map { M(cStruct: $0) }
    }

    /// A repeated message field (`count` pointers) as Swift values.
    public static func messages<M: ProtoMessage>(_ pointers: UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?, _ count: Int) -> [M] {
        guard let pointers, count > 0 else { return [] }
        return [M](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                (buffer.baseAddress! + index).initialize(to: M(cStruct: pointers[index]!))
            }
            initialized = count
        }
    }

    /// A repeated scalar field (`count` values) as a Swift array (copied).
    public static func scalars<T>(_ values: UnsafeMutablePointer<T>?, _ count: Int) -> [T] {
        guard let values, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: values, count: count))
    }

    /// A repeated enum field as Swift enum values.
    public static func enums<E: ProtoEnum, C: RawRepresentable>(_ values: UnsafeMutablePointer<C>?, _ count: Int) -> [E]
    where C.RawValue: FixedWidthInteger {
        scalars(values, count).map(enumValue)
    }

    /// A repeated string field as Swift strings.
    public static func strings(_ values: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) -> [String] {
        scalars(values, count).map(string)
    }

    /// A repeated `bytes` field as byte arrays.
    public static func binaries(_ values: UnsafeMutablePointer<ProtobufCBinaryData>?, _ count: Int) -> [[UInt8]] {
        scalars(values, count).map(binary)
    }
}
