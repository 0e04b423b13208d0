import NIOCore
@_spi(RPCWire) import PMProto

/// Why a connection was closed: the peer broke the framing rules of Proto/PROTOCOL.md.
public struct RPCProtocolViolation: Error, CustomStringConvertible {
    /// What the peer did wrong, e.g. `frame of 5000000 bytes exceeds the limit of 4194304`.
    public let description: String
}

/// Splits the byte stream into frames: a 4-byte big-endian length, then that many bytes holding one
/// `Frame`. The length is checked against the limit before anything is buffered for the frame.
struct RPCFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = Frame

    let maxFrameSize: Int
    /// Tells the connection's handler since when a frame's bytes have stopped arriving (the server's
    /// stall timeout).
    var progress: FrameProgress?

    mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            progress?.noteIncomplete(buffered: buffer.readableBytes)
            return nil
        }
        guard length <= maxFrameSize else {
            throw RPCProtocolViolation(description: "frame of \(length) bytes exceeds the limit of \(maxFrameSize)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else {
            progress?.noteIncomplete(buffered: buffer.readableBytes)
            return nil
        }
        progress?.noteIncomplete(buffered: 0)
        buffer.moveReaderIndex(forwardBy: 4)
        let body = buffer.readSlice(length: Int(length))!
        do {
            return try body.withUnsafeReadableBytes { try Frame(serializedBytes: $0) }
        } catch {
            throw RPCProtocolViolation(description: "undecodable frame of \(length) bytes")
        }
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Frame? {
        if let frame = try decode(buffer: &buffer) { return frame }
        if buffer.readableBytes > 0 {
            throw RPCProtocolViolation(description: "connection closed inside a frame (\(buffer.readableBytes) bytes pending)")
        }
        return nil
    }
}

/// Since when a connection's bytes have ended inside a frame with no new byte arriving; nil when they
/// end on a frame boundary. Written by the decoder, read by the server's connection handler.
/// Loop-confined.
final class FrameProgress {
    var incompleteSince: NIODeadline?
    private var buffered = 0

    /// The decoder holds `buffered` bytes of a frame it cannot finish yet (0: none).
    func noteIncomplete(buffered: Int) {
        if buffered == 0 {
            incompleteSince = nil
        } else if buffered != self.buffered || incompleteSince == nil {
            incompleteSince = .now()  // new bytes arrived: the frame is making progress
        }
        self.buffered = buffered
    }
}

extension ByteBuffer {
    /// Appends `frame` with its length prefix, packing it straight into the buffer.
    mutating func writeRPCFrame(_ frame: Frame) {
        frame.withPacker { size, pack in
            writeInteger(UInt32(size))
            guard size > 0 else { return }
            writeWithUnsafeMutableBytes(minimumWritableBytes: size) { destination in
                pack(destination.baseAddress!)
                return size
            }
        }
    }
}

extension ByteBufferAllocator {
    /// One framed `frame`, ready to write.
    func rpcFrame(_ frame: Frame) -> ByteBuffer {
        var buffer = self.buffer(capacity: 64 + (frame.payload?.count ?? 0))
        buffer.writeRPCFrame(frame)
        return buffer
    }

    /// `header` (without a payload) framed with `message` as its payload, packed straight into the buffer:
    /// the payload field (7) is appended after the header's fields, which protobuf allows, so the message
    /// is encoded once and never copied through an intermediate array.
    func rpcFrame(_ header: Frame, message: some ProtoMessage) -> ByteBuffer {
        precondition(header.payload == nil, "the message is the payload")
        return header.withPacker { headerSize, packHeader in
            message.withPacker { messageSize, packMessage in
                let fieldSize = 1 + Self.varintSize(messageSize) + messageSize
                var buffer = self.buffer(capacity: 4 + headerSize + fieldSize)
                buffer.writeInteger(UInt32(headerSize + fieldSize))
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: headerSize + fieldSize) { destination in
                    let base = destination.baseAddress!
                    if headerSize > 0 { packHeader(base) }
                    var offset = headerSize
                    base.storeBytes(of: 0x3A, toByteOffset: offset, as: UInt8.self)  // field 7, length-delimited
                    offset += 1
                    var length = messageSize
                    repeat {
                        let byte = UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0)
                        base.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
                        offset += 1
                        length >>= 7
                    } while length > 0
                    if messageSize > 0 { packMessage(base + offset) }
                    return headerSize + fieldSize
                }
                return buffer
            }
        }
    }

    private static func varintSize(_ value: Int) -> Int {
        var size = 1
        var rest = value >> 7
        while rest > 0 {
            size += 1
            rest >>= 7
        }
        return size
    }
}
