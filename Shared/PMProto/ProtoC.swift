import CProtobufC

/// Conversions from protoc-c's decoded C values to Swift values, used by generated code.
public enum ProtoC {
    public static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    public static func binary(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let bytes = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: data.len))
    }

    public static func enumValue<E: ProtoEnum, C: RawRepresentable>(_ value: C) -> E where C.RawValue: FixedWidthInteger {
        E(rawValue: Int32(truncatingIfNeeded: value.rawValue))
    }

    public static func cEnum<E: ProtoEnum, C: RawRepresentable>(_ value: E) -> C where C.RawValue: FixedWidthInteger {
        C(rawValue: C.RawValue(truncatingIfNeeded: value.rawValue))!
    }

    public static func message<M: ProtoMessage>(_ pointer: UnsafeMutablePointer<M.CStruct>?) -> M? {
        pointer.map { M(cStruct: $0) }
    }

    public static func messages<M: ProtoMessage>(_ pointers: UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?, _ count: Int) -> [M] {
        guard let pointers, count > 0 else { return [] }
        return [M](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                (buffer.baseAddress! + index).initialize(to: M(cStruct: pointers[index]!))
            }
            initialized = count
        }
    }

    public static func scalars<T>(_ values: UnsafeMutablePointer<T>?, _ count: Int) -> [T] {
        guard let values, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: values, count: count))
    }

    public static func enums<E: ProtoEnum, C: RawRepresentable>(_ values: UnsafeMutablePointer<C>?, _ count: Int) -> [E]
    where C.RawValue: FixedWidthInteger {
        scalars(values, count).map(enumValue)
    }

    public static func strings(_ values: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) -> [String] {
        scalars(values, count).map(string)
    }

    public static func binaries(_ values: UnsafeMutablePointer<ProtobufCBinaryData>?, _ count: Int) -> [[UInt8]] {
        scalars(values, count).map(binary)
    }
}
