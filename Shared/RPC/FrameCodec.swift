import NIOCore
import PMProto

/// Why a connection was closed: the peer broke the framing rules of Proto/PROTOCOL.md.
public struct RPCProtocolViolation: Error, CustomStringConvertible {
    public let description: String
}

/// Splits the byte stream into frames: a 4-byte big-endian length, then that many bytes holding one
/// `Frame`. The length is checked against the limit before anything is buffered for the frame.
struct RPCFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = Frame

    let maxFrameSize: Int

    mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length <= maxFrameSize else {
            throw RPCProtocolViolation(description: "frame of \(length) bytes exceeds the limit of \(maxFrameSize)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
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
}
