public import Foundation
public import Postgres

/// What adding a contact note takes: the client (by ref), the channel, and
/// whatever else is known. The promise fields go with the outcome
/// `.promiseToPay`, and only with it; they are separate so that a note missing
/// one of them (as an imported row may) is refused naming what is missing.
public struct NewContactNote: Sendable, Codable, Equatable {
    public var clientRef: String
    /// One of the client's invoices, when the note is about it.
    public var invoiceNumber: String?
    public var channel: ContactChannel
    public var direction: ContactDirection
    public var author: String?
    /// At most 10,000 characters.
    public var body: String?
    public var outcome: ContactOutcome?
    public var promiseAmount: Money?
    public var promiseDate: CalendarDate?
    /// 1 to 5.
    public var satisfaction: Int?
    public var followUpOn: CalendarDate?
    /// When the contact happened; nil is now.
    public var notedAt: Date?

    public init(
        clientRef: String, invoiceNumber: String? = nil, channel: ContactChannel, direction: ContactDirection = .outbound,
        author: String? = nil, body: String? = nil, outcome: ContactOutcome? = nil, promiseAmount: Money? = nil,
        promiseDate: CalendarDate? = nil, satisfaction: Int? = nil, followUpOn: CalendarDate? = nil, notedAt: Date? = nil
    ) {
        self.clientRef = clientRef
        self.invoiceNumber = invoiceNumber
        self.channel = channel
        self.direction = direction
        self.author = author
        self.body = body
        self.outcome = outcome
        self.promiseAmount = promiseAmount
        self.promiseDate = promiseDate
        self.satisfaction = satisfaction
        self.followUpOn = followUpOn
        self.notedAt = notedAt
    }

    /// A note recording a promise to pay `amount` by `date`.
    public static func promise(
        clientRef: String, amount: Money, by date: CalendarDate, channel: ContactChannel = .call,
        invoiceNumber: String? = nil, author: String? = nil, body: String? = nil, notedAt: Date? = nil
    ) -> NewContactNote {
        NewContactNote(
            clientRef: clientRef, invoiceNumber: invoiceNumber, channel: channel, author: author, body: body,
            outcome: .promiseToPay, promiseAmount: amount, promiseDate: date, notedAt: notedAt)
    }
}
