/// ISO 8601 timestamps (`2026-12-02T08:30:00.250Z`) of Unix times in milliseconds, both ways, by
/// arithmetic: the public API prints one per reading, and Foundation's formatters cost microseconds.
public enum UTCTimestamp {
    /// `ms` as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static func string(ms: Int64) -> String {
        let msOfDay = ((ms % 86_400_000) + 86_400_000) % 86_400_000
        let seconds = msOfDay / 1000
        return UTCDate.of(ms: ms) + "T" + pad(seconds / 3600) + ":" + pad(seconds / 60 % 60) + ":"
            + pad(seconds % 60) + "." + pad(msOfDay % 1000, width: 3) + "Z"
    }

    /// The Unix milliseconds of `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fraction]]`, with `Z`, `±HH:MM` or no
    /// zone (read as UTC); nil for anything else, or a date that does not exist.
    public static func milliseconds(of text: String) -> Int64? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"), let month = scanner.number(digits: 2),
            scanner.skip("-"), let day = scanner.number(digits: 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var ms = days(year: year, month: month, day: day) * 86_400_000
        if scanner.atEnd { return ms }
        guard scanner.skip("T") || scanner.skip(" "), let hour = scanner.number(digits: 2), scanner.skip(":"),
            let minute = scanner.number(digits: 2), hour < 24, minute < 60
        else { return nil }
        ms += (hour * 3600 + minute * 60) * 1000
        if scanner.skip(":") {
            guard let second = scanner.number(digits: 2), second < 60 else { return nil }
            ms += second * 1000
            if scanner.skip(".") {
                guard let fraction = scanner.fraction() else { return nil }
                ms += fraction
            }
        }
        if scanner.atEnd || (scanner.skip("Z") && scanner.atEnd) { return ms }
        let sign: Int64 = scanner.skip("+") ? -1 : (scanner.skip("-") ? 1 : 0)
        guard sign != 0, let offsetHours = scanner.number(digits: 2), offsetHours < 24 else { return nil }
        _ = scanner.skip(":")
        guard let offsetMinutes = scanner.number(digits: 2), offsetMinutes < 60, scanner.atEnd else { return nil }
        return ms + sign * (offsetHours * 60 + offsetMinutes) * 60_000
    }

    /// Days from 1970-01-01 to a civil date (Howard Hinnant's days_from_civil).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func pad(_ value: Int64, width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// Reads fixed-width numbers and separators off ASCII bytes.
private struct DigitScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    mutating func skip(_ character: Character) -> Bool {
        guard position < bytes.count, bytes[position] == character.asciiValue else { return false }
        position += 1
        return true
    }

    mutating func number(digits: Int) -> Int64? {
        guard position + digits <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[position..<position + digits] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - 48)
        }
        position += digits
        return value
    }

    /// Milliseconds of a decimal fraction of a second (digits past the third are dropped).
    mutating func fraction() -> Int64? {
        var value: Int64 = 0
        var count = 0
        while position < bytes.count, (48...57).contains(bytes[position]) {
            if count < 3 { value = value * 10 + Int64(bytes[position] - 48) }
            count += 1
            position += 1
        }
        guard count > 0 else { return nil }
        while count < 3 {
            value *= 10
            count += 1
        }
        return value
    }
}
