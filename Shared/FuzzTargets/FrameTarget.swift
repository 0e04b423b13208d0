@_spi(RPCWire) import PMProto
@_spi(Fuzzing) import PMRPC

extension FuzzTarget {
    /// The byte stream a connection reads: split into frames as the server does, each frame's encoding
    /// checked to round-trip, and each CALL's payload decoded as its method's request.
    public static let frames = FuzzTarget(name: "frames", run: FrameTarget.run, seeds: FrameTarget.seeds)
}

enum FrameTarget {
    /// The server's default frame limit (4 MiB).
    static let maxFrameSize = 4 << 20

    static func run(_ bytes: [UInt8]) {
        for frame in FrameSplitter.frames(in: bytes, maxFrameSize: maxFrameSize).frames {
            let again = FrameSplitter.frames(in: FrameSplitter.framed(frame), maxFrameSize: maxFrameSize)
            precondition(again.violation == nil && again.frames == [frame], "a decoded frame does not survive re-encoding: \(frame)")
            if frame.type == .call, let request = allMethodRequestTypes[frame.method] {
                MessageTarget.checkRoundTrip(request, frame.payload ?? [])
            }
        }
    }

    /// One CALL per method with a valid request, then the other frame types.
    static func seeds() -> [[UInt8]] {
        let authorization = MetadataEntry(key: "authorization", value: "Bearer fuzz-token")
        let calls = allMethodRequestTypes.keys.sorted().enumerated().map { index, path in
            FrameSplitter.framed(
                Frame(
                    callID: UInt64(index + 1), type: .call, method: path, metadata: [authorization], timeoutUs: 1_000_000, credit: 8,
                    payload: MessageTarget.sample(allMethodRequestTypes[path]!)))
        }
        let others: [Frame] = [
            Frame(callID: 1, type: .cancel),
            Frame(callID: 1, type: .credit, credit: 16),
            Frame(callID: 1, type: .message, payload: [0x08, 0x01]),
            Frame(callID: 1, type: .status, statusCode: 3, statusMessage: "invalid"),
        ]
        return calls + others.map(FrameSplitter.framed) + [calls.prefix(3).flatMap { $0 }]
    }
}
