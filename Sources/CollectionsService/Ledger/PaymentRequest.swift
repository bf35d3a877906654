import Crypto
package import Foundation
public import Postgres

/// What posting a payment takes. Its canonical JSON is hashed and stored with the
/// idempotency key, so a retry of the same request is recognised and a different
/// request under the same key is refused.
public struct PaymentRequest: Sendable, Codable, Equatable {
    public var clientRef: String
    public var reference: String
    public var amount: Money
    public var receivedOn: CalendarDate
    public var method: String?
    public var allocation: Allocation

    public init(
        clientRef: String, reference: String, amount: Money, receivedOn: CalendarDate, method: String? = nil,
        allocation: Allocation = .automatic
    ) {
        self.clientRef = clientRef
        self.reference = reference
        self.amount = amount
        self.receivedOn = receivedOn
        self.method = method
        self.allocation = allocation
    }

    /// SHA-256 of the sorted-keys JSON, versioned so the encoding can change later
    /// without a stored hash silently meaning something else.
    package var hash: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(self)) ?? Data()
        return Data(SHA256.hash(data: Data("payment.post/v1\n".utf8) + json))
    }
}
