import Foundation
import Postgres

/// What came of a contact. Same values as the `outcome` check of sql/0001.
public enum ContactOutcome: String, Sendable, Codable, CaseIterable {
    case noAnswer = "no_answer"
    case leftMessage = "left_message"
    case promiseToPay = "promise_to_pay"
    case disputeRaised = "dispute_raised"
    case paymentArranged = "payment_arranged"
    case refused
    case wrongContact = "wrong_contact"
    case other
}
