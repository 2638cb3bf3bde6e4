import Foundation

/// Instants at millisecond precision, as the audit log records them, and their RFC 3339 text
/// (`2026-11-26T02:14:00.000Z`), written without a formatter so the text never depends on
/// locale, calendar settings or the Foundation version.
enum UTCMilliseconds {
    /// Milliseconds since 1970, truncated.
    ///
    /// The instant is first rounded to the microsecond: a `Date` made from whole milliseconds
    /// (`ms / 1000`) can land a hair below them in binary floating point, and must map back
    /// to the same millisecond.
    static func milliseconds(_ date: Date) -> Int64 {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        return micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000)
    }

    /// The instant `milliseconds` after 1970.
    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// `date` truncated to the millisecond.
    static func truncate(_ date: Date) -> Date { self.date(milliseconds(date)) }

    /// `YYYY-MM-DDTHH:MM:SS.sssZ`, UTC.
    static func string(_ date: Date) -> String { string(milliseconds: milliseconds(date)) }

    static func string(milliseconds: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        write(milliseconds: milliseconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS.sssZ` to `out`, digit by digit (the audit's hot path:
    /// verification and export write one per record).
    static func write(milliseconds: Int64, to out: inout [UInt8]) {
        let (days, msOfDay) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = civil(fromDays: Int(days))
        let ms = Int(msOfDay)
        func digits(_ value: Int, _ width: Int) {
            let text = String(value)
            if text.utf8.count < width {
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - text.utf8.count))
            }
            out.append(contentsOf: text.utf8)
        }
        func two(_ value: Int) {
            out.append(UInt8(ascii: "0") + UInt8(value / 10))
            out.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
        if (0...9999).contains(year) {
            out.append(UInt8(ascii: "0") + UInt8(year / 1000))
            out.append(UInt8(ascii: "0") + UInt8(year / 100 % 10))
            two(year % 100)
        } else {
            digits(year, 4)
        }
        out.append(UInt8(ascii: "-"))
        two(month)
        out.append(UInt8(ascii: "-"))
        two(day)
        out.append(UInt8(ascii: "T"))
        two(ms / 3_600_000)
        out.append(UInt8(ascii: ":"))
        two(ms / 60_000 % 60)
        out.append(UInt8(ascii: ":"))
        two(ms / 1000 % 60)
        out.append(UInt8(ascii: "."))
        out.append(UInt8(ascii: "0") + UInt8(ms % 1000 / 100))
        two(ms % 100)
        out.append(UInt8(ascii: "Z"))
    }

    /// Parses the form ``string(_:)`` writes; any other RFC 3339 form through Foundation.
    static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes[index] >= 0x30, bytes[index] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        if bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let millis = number(20..<23), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 60
        {
            let days = Int64(daysFromCivil(year: year, month: month, day: day))
            let ms = days * 86_400_000 + Int64(((hour * 60 + minute) * 60 + second) * 1000 + millis)
            return date(ms)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    // Howard Hinnant's civil-from-days and days-from-civil (proleptic Gregorian calendar).
    private static func civil(fromDays value: Int) -> (Int, Int, Int) {
        let z = value + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
