public import Foundation
public import Postgres

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
            let client = try await Clients.find(new.clientRef, tenant: tenant, in: tx)
            var invoiceID: UUID?
            if let number = input.invoiceNumber {
                guard let id = try await tx.query("""
                    SELECT i.id FROM invoices i
                    WHERE i.tenant_id = \(tenant) AND i.number = \(number) AND i.client_id = \(client.id)
                    """).scalar(UUID.self) else {
                    throw ServiceError.notFound("client \"\(client.ref)\" has no invoice \(number)")
                }
                invoiceID = id
            }
            // Taken once and bound: the day checked is the day written, and no
            // `now()` in the write (DESIGN.md "Scale-out").
            let notedAt = new.notedAt ?? Date()
            // The note's day in the tenant's time zone, for the date checks.
            guard let notedOn = try await tx.query("""
                SELECT local_date(\(notedAt), t.time_zone)
                FROM tenants t WHERE t.id = \(tenant)
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
                VALUES (\(tenant), \(client.id), \(invoiceID), \(notedAt), \(new.channel.rawValue),
                    \(new.direction.rawValue), \(input.author), \(input.body), \(new.outcome?.rawValue),
                    \(new.promiseAmount?.amountMinor), \(new.promiseAmount?.currency), \(new.promiseDate),
                    \(new.satisfaction.map(Int16.init)), \(new.followUpOn))
                RETURNING id
                """).scalar(UUID.self)!
            let note = try await Self.find(id: id, tenant: tenant, in: tx)
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
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            return try Self.page(
                try await tx.query(Self.listSQL(tenant, client: client.id, after: position, limit: limit)), limit: limit)
        }
    }

    /// `list`'s query: the client's notes newest first after `position`, one more than `limit`.
    static func listSQL(_ tenant: UUID, client: UUID, after position: Cursor? = nil, limit: Int) -> SQL {
        var filter: SQL = "n.tenant_id = \(tenant) AND n.client_id = \(client)"
        if let position {
            filter.append("""
                 AND (n.noted_at, n.id) < (timestamptz 'epoch' + \(position.micros) * interval '1 microsecond', \(position.id))
                """)
        }
        return """
            SELECT \(unescaped: ContactNote.columns), (extract(epoch FROM n.noted_at) * 1000000)::bigint AS cursor_micros
            FROM \(ContactNote.from(tenant))
            WHERE \(filter) ORDER BY n.noted_at DESC, n.id DESC LIMIT \(limit + 1)
            """
    }

    /// `list`'s page of the rows of `listSQL`.
    static func page(_ rows: PostgresRows, limit: Int) throws -> Page<ContactNote> {
        var notes: [ContactNote] = []
        var last: Cursor?
        for row in rows.prefix(limit) {
            let note = try ContactNote(row: row)
            notes.append(note)
            last = Cursor(micros: try row["cursor_micros"], id: note.id)
        }
        return Page(items: notes, nextCursor: rows.count > limit ? last?.text : nil)
    }

    /// `promises`' query: the promises that meet `filter` (on `p`), by promise date.
    static func promisesSQL(_ tenant: UUID, where filter: SQL, asOf: CalendarDate) -> SQL {
        """
        SELECT p.*, c.ref AS client_ref, i.number AS invoice_number
        FROM (\(PromiseSQL.states(tenant, asOf: asOf))) p
        JOIN clients c ON c.tenant_id = \(tenant) AND c.id = p.client_id
        LEFT JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = p.invoice_id
        WHERE \(filter)
        ORDER BY p.promise_date, c.ref, p.noted_at, p.note_id
        """
    }

    /// The promises to pay made on or before `asOf` (of one client, or all), each
    /// open, kept or broken as of `asOf`, by promise date. Computed in one
    /// statement (`PromiseSQL.states`), with the rule the daily worker decides by.
    public func promises(clientRef: String? = nil, asOf: CalendarDate) async throws -> [PromiseState] {
        try await database.ledger(tenant, readOnly: true) { tx in
            var filter: SQL = "TRUE"
            if let clientRef {
                let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
                filter = "p.client_id = \(client.id)"
            }
            return try await tx.query(Self.promisesSQL(tenant, where: filter, asOf: asOf)).map(PromiseState.init(row:))
        }
    }

    /// The client's promises the daily worker found broken, newest first: the
    /// client's record of broken promises as decided (`promise_outcomes`).
    public func brokenPromises(clientRef: String) async throws -> [BrokenPromise] {
        try await database.ledger(tenant, readOnly: true) { tx in
            let client = try await Clients.find(clientRef, tenant: tenant, in: tx)
            return try await tx.query("""
                SELECT o.note_id, c.ref AS client_ref, i.number AS invoice_number, n.noted_at,
                       n.promise_amount_minor, n.promise_currency, n.promise_date, o.decided_on, o.paid_minor
                FROM promise_outcomes o
                JOIN contact_notes n ON n.tenant_id = \(tenant) AND n.id = o.note_id
                JOIN clients c ON c.tenant_id = \(tenant) AND c.id = o.client_id
                LEFT JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = n.invoice_id
                WHERE o.tenant_id = \(tenant) AND o.client_id = \(client.id) AND o.state = 'broken'
                ORDER BY o.decided_on DESC, n.noted_at DESC, o.note_id
                """).map(BrokenPromise.init(row:))
        }
    }

    static func find(id: UUID, tenant: UUID, in tx: PostgresConnection) async throws -> ContactNote {
        guard let row = try await tx.query("""
            SELECT \(unescaped: ContactNote.columns) FROM \(ContactNote.from(tenant))
            WHERE n.tenant_id = \(tenant) AND n.id = \(id)
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
