import Foundation
import StewardEngine
import StewardPolicy

/// A time as an official reads it: in their time zone (the zone named in the directory for
/// them, else `review.time_zone`, else the server's), with the zone said, and UTC on hover.
struct LocalTime: Sendable, Hashable {
    /// `2026-11-21 12:57 GMT`, in the official's zone.
    var text: String
    /// `2026-11-21 12:57 UTC`, for the title attribute.
    var utc: String
    /// ISO 8601 for `<time datetime>`.
    var iso: String
}

/// Formats times in one time zone, to the minute (lists) or the second (trails, where the order
/// of decisions matters).
struct TimeFormat: Sendable {
    let zone: TimeZone

    static let utcZone = TimeZone(identifier: "UTC")!

    func minute(_ date: Date) -> LocalTime { time(date, seconds: false) }
    func second(_ date: Date) -> LocalTime { time(date, seconds: true) }

    private func time(_ date: Date, seconds: Bool) -> LocalTime {
        LocalTime(
            text: Self.text(date, zone: zone, seconds: seconds), utc: Self.text(date, zone: Self.utcZone, seconds: seconds),
            iso: date.formatted(.iso8601))
    }

    /// `YYYY-MM-DD HH:MM[:SS] ZONE`, the zone as its abbreviation (`GMT`, `CET`, `GMT+2`), UTC as `UTC`.
    static func text(_ date: Date, zone: TimeZone, seconds: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        let day = "\(c.year ?? 0)-\(two(c.month))-\(two(c.day))"
        let clock = "\(two(c.hour)):\(two(c.minute))" + (seconds ? ":\(two(c.second))" : "")
        let name = ["UTC", "GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) ? "UTC" : zone.abbreviation(for: date) ?? zone.identifier
        return "\(day) \(clock) \(name)"
    }
}

extension ReviewApp {
    /// How this reviewer sees times: their own zone from the directory, else the app's setting.
    func timeFormat(for reviewer: Reviewer?) -> TimeFormat {
        let own = reviewer.flatMap { directory.official(at: $0.login)?.timeZone }.flatMap(TimeZone.init(identifier:))
        return TimeFormat(zone: own ?? settings.timeZone)
    }
}
