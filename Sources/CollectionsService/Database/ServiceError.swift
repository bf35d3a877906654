import Postgres

/// A refusal the service explains in a collector's words.
///
/// Every operation that refuses something throws this, and a refused operation
/// has changed nothing: it ran in one transaction, rolled back.
public struct ServiceError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// The thing named does not exist (for this tenant).
        case notFound
        /// It exists already, or the request contradicts what is stored.
        case conflict
        /// The input is malformed or out of range.
        case invalid
        /// The tenant is suspended.
        case suspended
        /// A business rule forbids it (over-application, void with payments, ...).
        case refused
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func notFound(_ message: String) -> ServiceError { ServiceError(.notFound, message) }
    static func conflict(_ message: String) -> ServiceError { ServiceError(.conflict, message) }
    static func invalid(_ message: String) -> ServiceError { ServiceError(.invalid, message) }
    static func refused(_ message: String) -> ServiceError { ServiceError(.refused, message) }
}
