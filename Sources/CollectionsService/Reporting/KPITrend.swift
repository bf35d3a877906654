public import Postgres

/// The stored KPIs of the days before a day, per currency, for trend lines: DSO,
/// CEI and percent current as the worker stored them each day (nil where the
/// ratio's denominator was 0), and the days the worker stored at all.
public struct KPITrend: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var asOf: CalendarDate
        public var currency: String
        public var dso: Double?
        public var cei: Double?
        public var percentCurrent: Double?
    }

    /// Every day with stored snapshots, newest first (at most a year and a day).
    public var storedDays: [CalendarDate]
    /// The window's points, by currency then day.
    public var points: [Point]
}
