/// A time in a request body: an ISO 8601 string or Unix milliseconds, up to year 9999.
struct TimestampInput: Decodable {
    var ms: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = (try? container.decode(Int64.self)).map(String.init) ?? (try? container.decode(String.self))
        guard let text, let ms = Timestamps.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be an ISO 8601 time or Unix milliseconds up to year 9999")
        }
        self.ms = ms
    }
}
