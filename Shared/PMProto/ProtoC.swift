import CProtobufC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Conversions from protoc-c's decoded C values to Swift values, used by generated code. They run only
/// on messages that protobuf-c unpacked through a ``ProtoArena``, and refuse, naming the field, what a
/// C string cannot carry faithfully: a string with an embedded NUL (protobuf-c would hand over only
/// the part before it, so two different keys could compare equal) or one that is not UTF-8.
@_spi(ProtoC) public enum ProtoC {
    /// A C string field as a Swift string; the unset default is "".
    public static func string(_ pointer: UnsafeMutablePointer<CChar>?, field: String) throws(ProtoFieldError) -> String {
        guard let pointer, UnsafePointer(pointer) != pm_protobuf_c_empty_string() else { return "" }
        let length = strlen(pointer)
        guard length + 1 == ProtoArena.requestedSize(of: pointer) else {
            throw ProtoFieldError(field: field, reason: "contains a NUL byte")
        }
        guard let string = String(validatingCString: pointer) else {
            throw ProtoFieldError(field: field, reason: "is not valid UTF-8")
        }
        return string
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
    public static func message<M: ProtoMessage>(_ pointer: UnsafeMutablePointer<M.CStruct>?, field: String) throws(ProtoFieldError) -> M? {
        guard let pointer else { return nil }
        do {
            return try M(cStruct: pointer)
        } catch {
            throw error.inside(field)
        }
    }

    /// A repeated message field (`count` pointers) as Swift values.
    public static func messages<M: ProtoMessage>(
        _ pointers: UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?, _ count: Int, field: String
    ) throws(ProtoFieldError) -> [M] {
        guard let pointers, count > 0 else { return [] }
        var messages = [M]()
        messages.reserveCapacity(count)
        for index in 0..<count {
            do {
                messages.append(try M(cStruct: pointers[index]!))
            } catch {
                throw error.inside("\(field)[\(index)]")
            }
        }
        return messages
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
    public static func strings(
        _ values: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int, field: String
    ) throws(ProtoFieldError) -> [String] {
        var strings = [String]()
        strings.reserveCapacity(count)
        for (index, value) in scalars(values, count).enumerated() {
            strings.append(try string(value, field: "\(field)[\(index)]"))
        }
        return strings
    }

    /// A repeated `bytes` field as byte arrays.
    public static func binaries(_ values: UnsafeMutablePointer<ProtobufCBinaryData>?, _ count: Int) -> [[UInt8]] {
        scalars(values, count).map(binary)
    }
}

/// A decoded field holds a value the Swift message cannot represent faithfully.
public struct ProtoFieldError: Error, CustomStringConvertible {
    /// The field's path in the message, in proto names: `readings[3].reading_id`.
    public var field: String
    /// What is wrong with it: "contains a NUL byte", "is not valid UTF-8".
    public var reason: String

    /// The same error, found inside the sub-message in `parent`.
    func inside(_ parent: String) -> ProtoFieldError {
        ProtoFieldError(field: "\(parent).\(field)", reason: reason)
    }

    /// `field reason`, e.g. `reading_id contains a NUL byte`.
    public var description: String { "\(field) \(reason)" }
}
