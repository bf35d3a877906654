import Foundation
import Postgres

/// Who started the contact. Same values as the `direction` check of sql/0001.
public enum ContactDirection: String, Sendable, Codable, CaseIterable {
    case inbound, outbound
}

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

/// A client's promise to pay `amount` by `date`, made in a contact note.
public struct PromiseToPay: Sendable, Codable, Equatable {
    public var amount: Money
    public var date: CalendarDate

    public init(amount: Money, date: CalendarDate) {
        self.amount = amount
        self.date = date
    }
}

/// A collector's note of one contact with a client (a call, an email, a visit...),
/// optionally about one of the client's invoices.
public struct ContactNote: Sendable, Codable, Equatable {
    public var id: UUID
    public var clientRef: String
    public var invoiceNumber: String?
    /// When the contact happened.
    public var notedAt: Date
    /// `notedAt` as a date in the tenant's time zone: the day the note counts for
    /// (a promise is made on it, a satisfaction score falls in a period by it).
    public var notedOn: CalendarDate
    public var channel: ContactChannel
    public var direction: ContactDirection
    public var author: String?
    public var body: String?
    public var outcome: ContactOutcome?
    /// Set exactly when `outcome` is `.promiseToPay`.
    public var promise: PromiseToPay?
    /// The client's satisfaction, 1 (worst) to 5 (best), when asked.
    public var satisfaction: Int?
    public var followUpOn: CalendarDate?
    public var createdAt: Date

    static let columns = """
        n.id, c.ref AS client_ref, i.number AS invoice_number, n.noted_at,
        (n.noted_at AT TIME ZONE t.time_zone)::date AS noted_on, n.channel, n.direction, n.author, n.body,
        n.outcome, n.promise_amount_minor, n.promise_currency, n.promise_date, n.satisfaction, n.follow_up_on,
        n.created_at
        """

    /// The notes with what `columns` reads; `n` is contact_notes.
    static let from = """
        contact_notes n
        JOIN clients c ON c.tenant_id = n.tenant_id AND c.id = n.client_id
        JOIN tenants t ON t.id = n.tenant_id
        LEFT JOIN invoices i ON i.tenant_id = n.tenant_id AND i.id = n.invoice_id
        """

    init(row: PostgresRow) throws {
        id = try row["id"]
        clientRef = try row["client_ref"]
        invoiceNumber = try row["invoice_number"]
        notedAt = try row["noted_at"]
        notedOn = try row["noted_on"]
        let channel: String = try row["channel"]
        guard let known = ContactChannel(rawValue: channel) else {
            throw PostgresError(kind: .decoding, message: "unknown contact channel \"\(channel)\"", column: "channel")
        }
        self.channel = known
        direction = ContactDirection(rawValue: try row["direction"]) ?? .outbound
        author = try row["author"]
        body = try row["body"]
        outcome = (try row["outcome", as: String?.self]).flatMap(ContactOutcome.init(rawValue:))
        if let minor: Int64 = try row["promise_amount_minor"], let currency: String = try row["promise_currency"],
           let date: CalendarDate = try row["promise_date"] {
            promise = PromiseToPay(amount: Money(amountMinor: minor, currency: currency), date: date)
        } else {
            promise = nil
        }
        satisfaction = try row["satisfaction"]
        followUpOn = try row["follow_up_on"]
        createdAt = try row["created_at"]
    }
}

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

/// Where a promise to pay stands on a date D (DESIGN.md, "Promise-kept rate").
///
/// Kept when the client's payments in the promise's currency, not reversed by D,
/// received from the day the promise was made (its note's date in the tenant's
/// time zone) to the promise date plus the tenant's grace days, and on or before
/// D, add up to the promised amount; broken when D is past the promise date plus
/// grace and it was not kept; open otherwise.
public struct PromiseState: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable { case open, kept, broken }

    public var noteID: UUID
    public var clientRef: String
    public var invoiceNumber: String?
    /// The day the promise was made: its note's date in the tenant's time zone.
    public var madeOn: CalendarDate
    public var promised: Money
    public var promiseDate: CalendarDate
    /// The promise date plus the tenant's grace days: the last day a payment counts.
    public var deadline: CalendarDate
    /// What the counted payments add up to as of the date asked about.
    public var paid: Money
    public var state: State
    /// For a broken promise, the day it broke (the day after the deadline).
    public var brokenOn: CalendarDate? { state == .broken ? deadline.adding(days: 1) : nil }

    init(row: PostgresRow) throws {
        noteID = try row["note_id"]
        clientRef = try row["client_ref"]
        invoiceNumber = try row["invoice_number"]
        madeOn = try row["made_on"]
        let currency: String = try row["promise_currency"]
        promised = Money(amountMinor: try row["promise_amount_minor"], currency: currency)
        promiseDate = try row["promise_date"]
        deadline = try row["deadline"]
        paid = Money(amountMinor: try row["paid_minor"], currency: currency)
        let state: String = try row["state"]
        guard let known = State(rawValue: state) else {
            throw PostgresError(kind: .decoding, message: "unknown promise state \"\(state)\"", column: "state")
        }
        self.state = known
    }
}

/// A promise the daily worker decided was broken (stored in `promise_outcomes`).
public struct BrokenPromise: Sendable, Codable, Equatable {
    public var noteID: UUID
    public var clientRef: String
    public var invoiceNumber: String?
    public var notedAt: Date
    public var promised: Money
    public var promiseDate: CalendarDate
    /// The day after the promise date plus grace: when it was found broken.
    public var decidedOn: CalendarDate
    /// What the client had paid towards it by then.
    public var paid: Money

    init(row: PostgresRow) throws {
        noteID = try row["note_id"]
        clientRef = try row["client_ref"]
        invoiceNumber = try row["invoice_number"]
        notedAt = try row["noted_at"]
        let currency: String = try row["promise_currency"]
        promised = Money(amountMinor: try row["promise_amount_minor"], currency: currency)
        promiseDate = try row["promise_date"]
        decidedOn = try row["decided_on"]
        paid = Money(amountMinor: try row["paid_minor"], currency: currency)
    }
}

/// A tenant's contact notes: add (audited), list a client's newest first, and the
/// promises to pay they record, with their state as of a date.
public struct ContactNotes: Sendable {
    public let database: CollectionsDatabase
    public let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// Adds a note, refused in words (and with nothing changed) when a field is
    /// out of range, the client or invoice is unknown, or the promise fields do
    /// not go with the outcome.
    public func add(_ new: NewContactNote, actor: String) async throws -> ContactNote {
        let actor = try Check.actor(actor)
        let input = try Self.validate(new)
        return try await database.ledger(tenant) { tx in
            let client = try await Clients.find(new.clientRef, in: tx)
            var invoiceID: UUID?
            if let number = input.invoiceNumber {
                guard let id = try await tx.query("""
                    SELECT i.id FROM invoices i WHERE i.number = \(number) AND i.client_id = \(client.id)
                    """).scalar(UUID.self) else {
                    throw ServiceError.notFound("client \"\(client.ref)\" has no invoice \(number)")
                }
                invoiceID = id
            }
            // The note's day in the tenant's time zone, for the date checks.
            guard let notedOn = try await tx.query("""
                SELECT (coalesce(\(new.notedAt), now()) AT TIME ZONE t.time_zone)::date
                FROM tenants t WHERE t.id = (SELECT current_tenant_id())
                """).scalar(CalendarDate.self) else {
                throw ServiceError(.suspended, "the tenant is suspended or does not exist; nothing was read or changed")
            }
            if let date = new.promiseDate, date < notedOn {
                throw ServiceError.invalid("the promise date \(date) is before the day of the note, \(notedOn)")
            }
            if let date = new.followUpOn, date < notedOn {
                throw ServiceError.invalid("the follow-up date \(date) is before the day of the note, \(notedOn)")
            }
            let id = try await tx.query("""
                INSERT INTO contact_notes (tenant_id, client_id, invoice_id, noted_at, channel, direction, author, body,
                    outcome, promise_amount_minor, promise_currency, promise_date, satisfaction, follow_up_on)
                VALUES (\(tenant), \(client.id), \(invoiceID), coalesce(\(new.notedAt), now()), \(new.channel.rawValue),
                    \(new.direction.rawValue), \(input.author), \(input.body), \(new.outcome?.rawValue),
                    \(new.promiseAmount?.amountMinor), \(new.promiseAmount?.currency), \(new.promiseDate),
                    \(new.satisfaction.map(Int16.init)), \(new.followUpOn))
                RETURNING id
                """).scalar(UUID.self)!
            let note = try await Self.find(id: id, in: tx)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "create", entity: "contact_note",
                                   entityID: id.uuidString.lowercased(), before: nil, after: note)
            return note
        }
    }

    /// The client's notes, newest first (by `notedAt`), `limit` at a time, after
    /// the cursor `after` (the `nextCursor` of the page before).
    public func list(clientRef: String, after cursor: String? = nil, limit: Int = 50) async throws -> Page<ContactNote> {
        let limit = try Check.limit(limit)
        let position = try cursor.map(Cursor.init(parsing:))
        return try await database.ledger(tenant, readOnly: true) { tx in
            let client = try await Clients.find(clientRef, in: tx)
            var filter: SQL = "n.client_id = \(client.id)"
            if let position {
                filter.append("""
                     AND (n.noted_at, n.id) < (timestamptz 'epoch' + \(position.micros) * interval '1 microsecond', \(position.id))
                    """)
            }
            let rows = try await tx.query("""
                SELECT \(unescaped: ContactNote.columns), (extract(epoch FROM n.noted_at) * 1000000)::bigint AS cursor_micros
                FROM \(unescaped: ContactNote.from)
                WHERE \(filter) ORDER BY n.noted_at DESC, n.id DESC LIMIT \(limit + 1)
                """)
            var notes: [ContactNote] = []
            var last: Cursor?
            for row in rows.prefix(limit) {
                let note = try ContactNote(row: row)
                notes.append(note)
                last = Cursor(micros: try row["cursor_micros"], id: note.id)
            }
            return Page(items: notes, nextCursor: rows.count > limit ? last?.text : nil)
        }
    }

    /// The promises to pay made on or before `asOf` (of one client, or all), each
    /// open, kept or broken as of `asOf`, by promise date. Computed in one
    /// statement (`PromiseSQL.states`), with the rule the daily worker decides by.
    public func promises(clientRef: String? = nil, asOf: CalendarDate) async throws -> [PromiseState] {
        try await database.ledger(tenant, readOnly: true) { tx in
            var filter: SQL = "TRUE"
            if let clientRef {
                let client = try await Clients.find(clientRef, in: tx)
                filter = "p.client_id = \(client.id)"
            }
            return try await tx.query("""
                SELECT p.*, c.ref AS client_ref, i.number AS invoice_number
                FROM (\(PromiseSQL.states(asOf: asOf))) p
                JOIN clients c ON c.tenant_id = (SELECT current_tenant_id()) AND c.id = p.client_id
                LEFT JOIN invoices i ON i.tenant_id = (SELECT current_tenant_id()) AND i.id = p.invoice_id
                WHERE \(filter)
                ORDER BY p.promise_date, c.ref, p.noted_at, p.note_id
                """).map(PromiseState.init(row:))
        }
    }

    /// The client's promises the daily worker found broken, newest first: the
    /// client's record of broken promises as decided (`promise_outcomes`).
    public func brokenPromises(clientRef: String) async throws -> [BrokenPromise] {
        try await database.ledger(tenant, readOnly: true) { tx in
            let client = try await Clients.find(clientRef, in: tx)
            return try await tx.query("""
                SELECT o.note_id, c.ref AS client_ref, i.number AS invoice_number, n.noted_at,
                       n.promise_amount_minor, n.promise_currency, n.promise_date, o.decided_on, o.paid_minor
                FROM promise_outcomes o
                JOIN contact_notes n ON n.tenant_id = o.tenant_id AND n.id = o.note_id
                JOIN clients c ON c.tenant_id = o.tenant_id AND c.id = o.client_id
                LEFT JOIN invoices i ON i.tenant_id = n.tenant_id AND i.id = n.invoice_id
                WHERE o.client_id = \(client.id) AND o.state = 'broken'
                ORDER BY o.decided_on DESC, n.noted_at DESC, o.note_id
                """).map(BrokenPromise.init(row:))
        }
    }

    static func find(id: UUID, in tx: PostgresConnection) async throws -> ContactNote {
        guard let row = try await tx.query("""
            SELECT \(unescaped: ContactNote.columns) FROM \(unescaped: ContactNote.from) WHERE n.id = \(id)
            """).first else {
            throw ServiceError.notFound("no contact note \(id.uuidString.lowercased())")
        }
        return try ContactNote(row: row)
    }

    // MARK: Checks

    struct Input {
        var invoiceNumber: String?
        var author: String?
        var body: String?
    }

    /// Every check that needs no database, in a collector's words.
    static func validate(_ new: NewContactNote) throws -> Input {
        let invoiceNumber = try Check.optionalText(new.invoiceNumber, "the invoice number", 1...64)
        let author = try Check.optionalText(new.author, "the author", 1...200)
        // Multi-line: tab and line breaks allowed, no other control character (a NUL
        // could not be stored in text anyway, and would cut a bound parameter short).
        let body = try Check.optionalText(new.body, "the note body", 1...10_000, lineBreaks: true)
        if let score = new.satisfaction, !(1...5).contains(score) {
            throw ServiceError.invalid("satisfaction must be between 1 and 5, got \(score)")
        }
        if new.outcome == .promiseToPay {
            switch (new.promiseAmount, new.promiseDate) {
            case (nil, nil): throw ServiceError.invalid("a promise to pay needs the promised amount and date")
            case (nil, _): throw ServiceError.invalid("a promise to pay needs the promised amount")
            case (_, nil): throw ServiceError.invalid("a promise to pay needs the date the client promised to pay by")
            case (let amount?, _?): try Check.positive(amount, "the promised amount")
            }
        } else if new.promiseAmount != nil || new.promiseDate != nil {
            let outcome = new.outcome.map { "this note's outcome is \($0.rawValue)" } ?? "this note has no outcome"
            throw ServiceError.invalid(
                "a promised amount or date is recorded only with the outcome promise_to_pay; \(outcome)")
        }
        return Input(invoiceNumber: invoiceNumber, author: author, body: body)
    }

    /// A position in the newest-first list: the note's time (microseconds since
    /// 1970, exact) and id. As text, `<micros>/<uuid>`.
    struct Cursor {
        var micros: Int64
        var id: UUID

        init(micros: Int64, id: UUID) {
            self.micros = micros
            self.id = id
        }

        init(parsing text: String) throws {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
                throw ServiceError.invalid("\"\(text)\" is not a cursor of the notes list: pass the nextCursor of the page before")
            }
            self.init(micros: micros, id: id)
        }

        var text: String { "\(micros)/\(id.uuidString.lowercased())" }
    }
}

/// The promise rule in SQL, shared by `ContactNotes.promises` and `Worklist`.
enum PromiseSQL {
    /// Every promise to pay made on or before `asOf` (its note's date in the
    /// tenant's time zone), with its state as of `asOf`. Columns: note_id,
    /// client_id, invoice_id, noted_at, made_on, promise_amount_minor,
    /// promise_currency, promise_date, deadline (promise_date + the tenant's
    /// grace days), paid_minor (payments counted as of `asOf`), state (open,
    /// kept, broken). Needs the tenant set; reads the time zone and grace from
    /// the tenant's row.
    ///
    /// The payments counted are those of PromiseDecisions (client, currency,
    /// received from made_on to the deadline) received on or before `asOf` and
    /// not reversed on or before `asOf`, as in `report_kpis`.
    static func states(asOf: CalendarDate) -> SQL {
        """
        SELECT n.id AS note_id, n.client_id, n.invoice_id, n.noted_at, w.made_on, n.promise_amount_minor,
               n.promise_currency, n.promise_date, w.deadline, paid.minor AS paid_minor,
               CASE WHEN paid.minor >= n.promise_amount_minor THEN 'kept'
                    WHEN \(asOf)::date > w.deadline THEN 'broken'
                    ELSE 'open' END AS state
        FROM contact_notes n
        JOIN tenants t ON t.id = (SELECT current_tenant_id())
        CROSS JOIN LATERAL (
            SELECT (n.noted_at AT TIME ZONE t.time_zone)::date AS made_on,
                   n.promise_date + t.promise_grace_days AS deadline
        ) w
        CROSS JOIN LATERAL (
            SELECT coalesce(report_sum(p.amount_minor), 0)::bigint AS minor
            FROM payments p
            WHERE p.tenant_id = (SELECT current_tenant_id()) AND p.client_id = n.client_id
              AND p.currency = n.promise_currency
              AND p.received_on >= w.made_on
              AND p.received_on <= least(w.deadline, \(asOf)::date)
              AND (p.reversed_on IS NULL OR p.reversed_on > \(asOf)::date)
        ) paid
        WHERE n.tenant_id = (SELECT current_tenant_id()) AND n.outcome = 'promise_to_pay'
          AND w.made_on <= \(asOf)::date
        """
    }
}
