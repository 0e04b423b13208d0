import Foundation
import PMMath

/// Dates as tasks carry them: YYYY-MM-DD strings, in UTC.
enum CalendarDay {
    private static let calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The UTC date of a Unix time in milliseconds.
    static func of(ms: Int64) -> String { UTCDate.of(ms: ms) }

    /// Midnight UTC starting `day`, in Unix milliseconds; nil for a string that is not YYYY-MM-DD.
    static func milliseconds(of day: String) -> Int64? {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])).map {
            Int64($0.timeIntervalSince1970 * 1000)
        }
    }

    /// The day `days` after `day` (a valid date).
    static func adding(_ days: Int, to day: String) -> String {
        of(ms: milliseconds(of: day)! + Int64(days) * 86_400_000)
    }
}
