/// Whether, and how often, a transaction that failed with a serialization failure or
/// a deadlock is run again from the start. Only safe when the body has no effects
/// outside the database, hence opt-in.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public static let never = RetryPolicy(attempts: 1)
    public static func transient(attempts: Int = 5) -> RetryPolicy { RetryPolicy(attempts: attempts) }
}
