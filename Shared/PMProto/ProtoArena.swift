import CProtobufC

/// Scratch memory for building protoc-c structs from Swift values: a bump allocator whose blocks are
/// all freed together when the arena goes away, so encoding never leaks and needs no per-field frees.
@_spi(ProtoC) public final class ProtoArena {
    private var blocks: [UnsafeMutableRawPointer] = []
    private var cursor: UnsafeMutableRawPointer?
    private var remaining = 0
    private var nextBlockSize = 1024

    /// An empty arena; its first block is allocated on first use.
    public init() {}

    deinit {
        for block in blocks { block.deallocate() }
    }

    func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        if let cursor {
            let padding = (alignment - Int(bitPattern: cursor) % alignment) % alignment
            if padding + byteCount <= remaining {
                let start = cursor + padding
                self.cursor = start + byteCount
                remaining -= padding + byteCount
                return start
            }
        }
        let size = max(nextBlockSize, byteCount + alignment)
        nextBlockSize = min(nextBlockSize * 2, 1 << 20)
        let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        blocks.append(block)
        cursor = block + byteCount
        remaining = size - byteCount
        return block
    }

    /// Lends protobuf-c an allocator that takes its memory from this arena; its frees do nothing, since
    /// the arena releases everything at once. Each allocation is preceded by the size protobuf-c asked
    /// for (``requestedSize(of:)``): a decoded string's buffer is its length + 1, which is how
    /// `ProtoC.string` tells a string with an embedded NUL from a shorter one.
    public func withProtobufCAllocator<R>(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) throws -> R) rethrows -> R {
        var allocator = ProtobufCAllocator(
            alloc: { arena, size in
                let arena = Unmanaged<ProtoArena>.fromOpaque(arena!).takeUnretainedValue()
                let start = arena.allocate(byteCount: ProtoArena.sizeHeader + max(size, 1), alignment: 16)
                start.storeBytes(of: size, as: Int.self)
                return start + ProtoArena.sizeHeader
            },
            free: { _, _ in },
            allocator_data: Unmanaged.passUnretained(self).toOpaque()
        )
        return try withExtendedLifetime(self) { try body(&allocator) }
    }

    /// Keeps protobuf-c's allocations 16-byte aligned behind their size.
    private static let sizeHeader = 16

    /// The size protobuf-c asked for when it allocated `pointer` through ``withProtobufCAllocator(_:)``.
    static func requestedSize(of pointer: UnsafeRawPointer) -> Int {
        (pointer - sizeHeader).load(as: Int.self)
    }

    /// Uninitialised memory for one `T`.
    public func allocate<T>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        allocate(byteCount: MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment).bindMemory(to: T.self, capacity: 1)
    }

    private func allocateArray<T>(of type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocate(byteCount: MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: count)
    }

    /// A NUL-terminated copy. protobuf-c strings are C strings: text after an embedded NUL is not sent.
    public func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let destination = allocateArray(of: CChar.self, count: utf8.count + 1)
            if utf8.count > 0 {
                UnsafeMutableRawPointer(destination).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            }
            destination[utf8.count] = 0
            return destination
        }
    }

    /// Copies `bytes` into the arena as a protobuf-c `bytes` value.
    public func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        let destination = allocateArray(of: UInt8.self, count: max(bytes.count, 1))
        bytes.withUnsafeBufferPointer { source in
            if source.count > 0 { destination.initialize(from: source.baseAddress!, count: source.count) }
        }
        return ProtobufCBinaryData(len: bytes.count, data: destination)
    }

    /// Copies a sub-message into the arena as its C struct; nil stays a null pointer (unset).
    public func message<M: ProtoMessage>(_ message: M?) -> UnsafeMutablePointer<M.CStruct>? {
        guard let message else { return nil }
        let c = allocate(M.CStruct.self)
        M.cInit(c)
        message.fill(c, arena: self)
        return c
    }

    /// Copies a repeated message field into the arena: the count and the array of pointers protoc-c wants.
    public func messages<M: ProtoMessage>(_ messages: [M]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?) {
        guard !messages.isEmpty else { return (0, nil) }
        let pointers = allocateArray(of: UnsafeMutablePointer<M.CStruct>?.self, count: messages.count)
        let structs = allocateArray(of: M.CStruct.self, count: messages.count)
        for (index, message) in messages.enumerated() {
            let c = structs + index
            M.cInit(c)
            message.fill(c, arena: self)
            pointers[index] = c
        }
        return (messages.count, pointers)
    }

    /// Copies a repeated scalar field into the arena: the count and the array.
    public func scalars<T>(_ values: [T]) -> (Int, UnsafeMutablePointer<T>?) {
        guard !values.isEmpty else { return (0, nil) }
        let destination = allocateArray(of: T.self, count: values.count)
        values.withUnsafeBufferPointer { destination.initialize(from: $0.baseAddress!, count: values.count) }
        return (values.count, destination)
    }

    /// Copies a repeated string field into the arena as NUL-terminated C strings.
    public func strings(_ values: [String]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        scalars(values.map { Optional(cString($0)) })
    }

    /// Copies a repeated `bytes` field into the arena.
    public func binaries(_ values: [[UInt8]]) -> (Int, UnsafeMutablePointer<ProtobufCBinaryData>?) {
        scalars(values.map(binary))
    }
}
