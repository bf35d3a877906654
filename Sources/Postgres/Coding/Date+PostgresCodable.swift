public import Foundation


/// `timestamptz`. Sent as an ISO 8601 instant in UTC; read in whatever zone the
/// session prints, offset included.
extension Date: PostgresCodable {
    public func postgresText() -> String? {
        let seconds = timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let micros = Int(((seconds - whole) * 1_000_000).rounded())
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", Int(parts.tm_year) + 1900,
            Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
            Int(parts.tm_sec), micros)
    }
    public static var postgresType: PostgresType { .timestamptz }

    public init?(postgresText text: String, type: PostgresType) {
        guard type == .timestamptz || type == .timestamp else { return nil }
        // "2026-11-29 12:49:00.123456+05:30" (ISO DateStyle); timestamp has no offset
        // and is read as UTC.
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for b in bytes[range] {
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              let days = CalendarDate(year: year, month: month, day: day)?.daysSinceEpoch
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < bytes.count {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"),
                  let hours = number(index + 1..<index + 3) else { return nil }
            var minutes = 0
            var seconds = 0
            if index + 6 <= bytes.count, let m = number(index + 4..<index + 6) { minutes = m }
            if index + 9 <= bytes.count, let s = number(index + 7..<index + 9) { seconds = s }
            offset = sign * (hours * 3600 + minutes * 60 + seconds)
        }
        let total = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
        self = Date(timeIntervalSince1970: total)
    }
}
