@_spi(ProtoC) import PMProto

/// Encode and decode cost of a reading batch through libprotobuf-c and the generated Swift layer; decoding
/// includes turning columns into `[Reading]`, as Ingest does.
enum CodecBenchmark {
    struct Result {
        var encodeNanosecondsPerReading: Double
        var decodeNanosecondsPerReading: Double
        var decodeMicrosecondsPerBatch: Double
        var encodedBytes: Int
        /// libprotobuf-c's share of decoding: unpack into an arena, no Swift values built.
        var unpackOnlyMicrosecondsPerBatch: Double
    }

    static func measure(batch: RecordReadingsRequest, iterations: Int) throws -> Result {
        var bytes = batch.serializedBytes()
        var sink = 0
        let encodeStart = ContinuousClock.now
        for _ in 0..<iterations {
            bytes = batch.serializedBytes()
            sink &+= bytes.count
        }
        let encode = ContinuousClock.now - encodeStart
        let decodeStart = ContinuousClock.now
        for _ in 0..<iterations {
            let decoded = try RecordReadingsRequest(serializedBytes: bytes)
            sink &+= try decoded.readings.count + (decoded.columns?.readings().count ?? 0)
        }
        let decode = ContinuousClock.now - decodeStart
        let unpackStart = ContinuousClock.now
        for _ in 0..<iterations {
            let arena = ProtoArena()
            bytes.withUnsafeBufferPointer { buffer in
                arena.withProtobufCAllocator { allocator in
                    let message = RecordReadingsRequest.cUnpack(allocator, buffer.count, buffer.baseAddress!)!
                    sink &+= message.pointee.n_readings + (message.pointee.columns?.pointee.n_equipment_id ?? 0)
                }
            }
        }
        let unpack = ContinuousClock.now - unpackStart
        precondition(sink != 0)
        let perBatch = Double(iterations)
        let readings = perBatch * Double(batch.readings.count + (batch.columns?.equipmentID.count ?? 0))
        return Result(
            encodeNanosecondsPerReading: encode.seconds * 1e9 / readings,
            decodeNanosecondsPerReading: decode.seconds * 1e9 / readings,
            decodeMicrosecondsPerBatch: decode.seconds * 1e6 / perBatch,
            encodedBytes: bytes.count,
            unpackOnlyMicrosecondsPerBatch: unpack.seconds * 1e6 / perBatch
        )
    }
}
