import CProtobufC

/// A Swift value type generated from a proto message, convertible to and from protoc-c's C struct.
///
/// The conversion members are implementation details of the generated code, hidden as SPI
/// (`@_spi(ProtoC) import PMProto` to see them); use ``serializedBytes()``, ``withPacked(_:)`` and
/// ``init(serializedBytes:)`` instead.
public protocol ProtoMessage: Sendable, Equatable {
    /// protoc-c's C struct for the message.
    associatedtype CStruct

    /// Copies a C message that protobuf-c decoded into a ``ProtoArena`` into Swift values; the C memory
    /// is not retained. Throws for a string field that a Swift `String` cannot hold faithfully.
    @_spi(ProtoC) init(cStruct: UnsafePointer<CStruct>) throws(ProtoFieldError)
    /// Fills an initialised C struct; every pointer it stores points into `arena`.
    @_spi(ProtoC) func fill(_ c: UnsafeMutablePointer<CStruct>, arena: ProtoArena)
    /// Sets a C struct to the message's defaults (protoc-c's `__init`).
    @_spi(ProtoC) static func cInit(_ c: UnsafeMutablePointer<CStruct>)
    /// Decodes with protobuf-c, allocating the C tree from `allocator` (an arena: nothing to free one by one).
    @_spi(ProtoC) static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>?
}

/// The bytes were not a valid encoding of the expected message.
public struct ProtoDecodingError: Error, CustomStringConvertible {
    /// The Swift name of the message that was expected.
    public let messageType: String
    /// How many bytes were offered.
    public let byteCount: Int
    /// The field at fault when the encoding was valid protobuf but a field's value was refused.
    public var invalidField: ProtoFieldError? = nil

    /// Says which message could not be decoded from how many bytes, and which field was at fault.
    public var description: String {
        "cannot decode \(byteCount) bytes as \(messageType)" + (invalidField.map { ": \($0)" } ?? "")
    }
}

extension ProtoMessage {
    /// Encodes the message with libprotobuf-c and lends the encoding to `body` without copying it again.
    public func withPacked<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withPacker { size, pack in
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
            defer { bytes.deallocate() }
            if size > 0 { pack(bytes.baseAddress!) }
            return try body(UnsafeRawBufferPointer(bytes))
        }
    }

    /// Builds the C message once and lends `body` its packed size and a function that packs it into memory
    /// of at least that size; lets callers write straight into their own buffers.
    public func withPacker<R>(_ body: (_ size: Int, _ pack: (UnsafeMutableRawPointer) -> Void) throws -> R) rethrows -> R {
        let arena = ProtoArena()
        let c = arena.allocate(CStruct.self)
        Self.cInit(c)
        fill(c, arena: arena)
        let message = UnsafeMutableRawPointer(c).assumingMemoryBound(to: ProtobufCMessage.self)
        let size = protobuf_c_message_get_packed_size(message)
        return try body(size) { destination in
            _ = protobuf_c_message_pack(message, destination.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The message's protobuf encoding.
    public func serializedBytes() -> [UInt8] {
        withPacker { size, pack in
            [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                if size > 0 { pack(buffer.baseAddress!) }
                count = size
            }
        }
    }

    /// Decodes a message with libprotobuf-c. The C tree it builds lives in an arena that is freed, whole,
    /// once the Swift values are copied out: one allocation per arena block instead of one per sub-message.
    public init(serializedBytes bytes: UnsafeRawBufferPointer) throws {
        let arena = ProtoArena()
        // protobuf-c wants a non-null pointer even for an empty message.
        var empty: UInt8 = 0
        let decoded = withUnsafePointer(to: &empty) { emptyPointer in
            arena.withProtobufCAllocator { allocator in
                Self.cUnpack(allocator, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyPointer)
            }
        }
        guard let decoded else {
            throw ProtoDecodingError(messageType: String(describing: Self.self), byteCount: bytes.count)
        }
        do {
            self = try withExtendedLifetime(arena) { () throws(ProtoFieldError) in try Self(cStruct: decoded) }
        } catch {
            throw ProtoDecodingError(messageType: String(describing: Self.self), byteCount: bytes.count, invalidField: error)
        }
    }

    /// Decodes a message from an array of bytes.
    public init(serializedBytes bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { try Self(serializedBytes: $0) }
    }
}
