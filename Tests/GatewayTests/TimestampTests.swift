import PMMath
import Testing

@Suite("ISO 8601 timestamps (UTCTimestamp)")
struct TimestampTests {
    @Test("formats and parses back, across leap days and before 1970")
    func roundTrip() {
        for ms: Int64 in [0, 1, 999, 86_399_999, 951_782_400_000, 1_764_979_200_123, -86_400_001, 253_402_300_799_999] {
            let text = UTCTimestamp.string(ms: ms)
            #expect(UTCTimestamp.milliseconds(of: text) == ms, "\(ms) -> \(text)")
        }
        #expect(UTCTimestamp.string(ms: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
    }

    @Test(
        "accepts the usual spellings",
        arguments: [
            ("2026-12-05", 1_796_428_800_000), ("2026-12-05T10:00:00Z", 1_796_464_800_000), ("2026-12-05T10:00:00", 1_796_464_800_000),
            ("2026-12-05 10:00:00", 1_796_464_800_000), ("2026-12-05T10:00", 1_796_464_800_000),
            ("2026-12-05T10:00:00.5Z", 1_796_464_800_500),
            ("2026-12-05T10:00:00.123456Z", 1_796_464_800_123), ("2026-12-05T12:00:00+02:00", 1_796_464_800_000),
            ("2026-12-05T08:30:00-01:30", 1_796_464_800_000),
        ] as [(String, Int64)])
    func parses(text: String, ms: Int64) {
        #expect(UTCTimestamp.milliseconds(of: text) == ms)
    }

    @Test(
        "refuses what is not a time",
        arguments: [
            "", "2026", "2026-13-01", "2026-02-30", "2025-02-29", "2026-12-05T24:00:00Z", "2026-12-05T10:60Z", "2026-12-05T10:00:00.Z",
            "2026-12-05T10:00:00+2", "2026-12-05T10:00:00Zjunk", "NaN", "１２３４-01-01",
        ])
    func refuses(text: String) {
        #expect(UTCTimestamp.milliseconds(of: text) == nil)
    }
}
