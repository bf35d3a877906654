extension CalendarDate: PostgresCodable {
    public func postgresText() -> String? { description }
    public static var postgresType: PostgresType { .date }
    public init?(postgresText text: String, type: PostgresType) {
        guard type == .date, let date = CalendarDate(text) else { return nil }
        self = date
    }
}
