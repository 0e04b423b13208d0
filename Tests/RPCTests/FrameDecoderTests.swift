import NIOCore
import NIOEmbedded
@_spi(RPCWire) import PMProto
import Testing

@testable import PMRPC

@Suite("Frame decoding")
struct FrameDecoderTests {
    static let frames = [
        Frame(callID: 1, type: .call, method: "/a.B/C", metadata: [MetadataEntry(key: "k", value: "v")], timeoutUs: 5, payload: [1, 2, 3]),
        Frame(callID: 2, type: .status, statusCode: 5, statusMessage: "not found"),
        Frame(callID: 3, type: .message, payload: []),
    ]

    static var wire: [UInt8] {
        var buffer = ByteBuffer()
        for frame in frames { buffer.writeRPCFrame(frame) }
        return Array(buffer.readableBytesView)
    }

    static func decoderChannel(maxFrameSize: Int = 1 << 20) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RPCFrameDecoder(maxFrameSize: maxFrameSize)))
        return channel
    }

    static func readAll(_ channel: EmbeddedChannel) throws -> [Frame] {
        var frames = [Frame]()
        while let frame = try channel.readInbound(as: Frame.self) { frames.append(frame) }
        return frames
    }

    @Test("frames split in two at every offset decode the same")
    func splitAtEveryOffset() throws {
        let wire = Self.wire
        for offset in 0...wire.count {
            let channel = try Self.decoderChannel()
            try channel.writeInbound(ByteBuffer(bytes: wire[..<offset]))
            try channel.writeInbound(ByteBuffer(bytes: wire[offset...]))
            #expect(try Self.readAll(channel) == Self.frames, "split at \(offset)")
            #expect(try channel.finish().isClean)
        }
    }

    @Test("frames fed one byte at a time decode the same")
    func byteByByte() throws {
        let channel = try Self.decoderChannel()
        for byte in Self.wire { try channel.writeInbound(ByteBuffer(bytes: [byte])) }
        #expect(try Self.readAll(channel) == Self.frames)
        #expect(try channel.finish().isClean)
    }

    @Test("many frames in one read")
    func manyFramesInOneRead() throws {
        let channel = try Self.decoderChannel()
        let many = Array([[UInt8]](repeating: Self.wire, count: 200).joined())
        try channel.writeInbound(ByteBuffer(bytes: many))
        #expect(try Self.readAll(channel).count == 600)
        #expect(try channel.finish().isClean)
    }

    @Test("a length over the limit is refused before the body arrives")
    func oversizedFrame() throws {
        let channel = try Self.decoderChannel(maxFrameSize: 1024)
        #expect(throws: RPCProtocolViolation.self) {
            try channel.writeInbound(ByteBuffer(bytes: [0x00, 0x00, 0x04, 0x01]))
        }
        _ = try? channel.finish()
    }

    @Test("a body that is not a Frame is refused")
    func garbageFrame() throws {
        let channel = try Self.decoderChannel()
        #expect(throws: RPCProtocolViolation.self) {
            try channel.writeInbound(ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0xFF]))
        }
        _ = try? channel.finish()
    }

    @Test("a connection closed inside a frame is reported")
    func truncatedFrame() throws {
        let channel = try Self.decoderChannel()
        try channel.writeInbound(ByteBuffer(bytes: Self.wire.dropLast(2)))
        #expect(try Self.readAll(channel).count == 2)
        #expect(throws: RPCProtocolViolation.self) { _ = try channel.finish() }
    }

    @Test("a frame packed with its message appended decodes like one built with the payload bytes", arguments: [0, 1, 3, 200, 20_000])
    func messageAppendedAsPayload(readings: Int) throws {
        let message = RecordReadingsRequest(readings: (0..<readings).map { Reading(equipmentID: Int64($0), readingID: "r\($0)") })
        let header = Frame(callID: 77, type: .status, metadata: [MetadataEntry(key: "k", value: "v")], statusCode: 0)
        var framed = ByteBufferAllocator().rpcFrame(header, message: message)
        var expected = header
        expected.payload = message.serializedBytes()

        let channel = try Self.decoderChannel(maxFrameSize: 4 << 20)
        try channel.writeInbound(framed)
        #expect(try Self.readAll(channel) == [expected])
        #expect(try channel.finish().isClean)
        let length = framed.readInteger(as: UInt32.self)
        #expect(Int(length!) == framed.readableBytes)
    }
}
