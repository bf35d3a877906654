public import Foundation
package import Postgres

/// A tenant's clients: create, change, find, list and search. Every change is
/// audited with the values before and after.
public struct Clients: Sendable {
    public let database: CollectionsDatabase
    public let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    public func create(_ new: NewClient, actor: String) async throws -> Client {
        let actor = try Check.actor(actor)
        let ref = try Check.text(new.ref, "the client ref", 1...64)
        var fields = Fields(
            name: new.name, email: new.email, phone: new.phone, preferredChannel: new.preferredChannel,
            doNotContact: new.doNotContact, paymentTermsDays: new.paymentTermsDays, currency: new.currency,
            creditLimitMinor: nil, status: new.status, assignedCollector: new.assignedCollector, kind: new.kind,
            timeZone: new.timeZone)
        try fields.setCreditLimit(new.creditLimit)
        try fields.validate()
        return try await database.ledger(tenant) { tx in
            try await fields.checkTimeZone(in: tx)
            try await fields.checkCollector(tenant: tenant, in: tx)
            let row: PostgresRows
            do {
                row = try await tx.query("""
                    INSERT INTO clients AS c (tenant_id, ref, name, email, phone, preferred_channel, do_not_contact,
                        payment_terms_days, currency, credit_limit_minor, status, agency_name, agency_placed_on,
                        assigned_collector, kind, time_zone)
                    VALUES (\(tenant), \(ref), \(fields.name), \(fields.email), \(fields.phone),
                        \(fields.preferredChannel?.rawValue), \(fields.doNotContact), \(fields.paymentTermsDays),
                        \(fields.currency), \(fields.creditLimitMinor), \(fields.status.code), \(fields.agencyName),
                        \(fields.agencyPlacedOn), \(fields.assignedCollector), \(fields.kind?.rawValue), \(fields.timeZone))
                    RETURNING \(unescaped: Client.columns)
                    """)
            } catch let error as PostgresError where error.kind == .uniqueViolation && error.constraint == "clients_ref_key" {
                throw ServiceError.conflict("a client with ref \"\(ref)\" already exists")
            }
            let client = try Client(row: row[0])
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "create", entity: "client",
                                   entityID: ref, before: nil, after: client)
            if new.smsConsent {
                _ = try await ContactPermissions.record(
                    ContactPermission.Change(channel: .sms, address: client.phone, granted: true, source: "client record"),
                    client: client, tenant: tenant, actor: actor, in: tx)
            }
            return client
        }
    }

    /// Changes the fields `changes` sets, under a row lock, and records before and after.
    public func update(_ ref: String, _ changes: ClientChanges, actor: String) async throws -> Client {
        let actor = try Check.actor(actor)
        return try await database.ledger(tenant) { tx in
            let before = try await Self.find(ref, tenant: tenant, in: tx, lock: true)
            var fields = Fields(before)
            if let name = changes.name { fields.name = name }
            if let email = changes.email { fields.email = email }
            if let phone = changes.phone { fields.phone = phone }
            if let channel = changes.preferredChannel { fields.preferredChannel = channel }
            if let doNotContact = changes.doNotContact { fields.doNotContact = doNotContact }
            if let terms = changes.paymentTermsDays { fields.paymentTermsDays = terms }
            if let currency = changes.currency { fields.currency = currency }
            if let limit = changes.creditLimit { try fields.setCreditLimit(limit, clearing: true) }
            if let status = changes.status { fields.status = status }
            if let collector = changes.assignedCollector { fields.assignedCollector = collector }
            if let kind = changes.kind { fields.kind = kind }
            if let zone = changes.timeZone { fields.timeZone = zone }
            try fields.validate()
            try await fields.checkTimeZone(in: tx)
            if fields.assignedCollector != before.assignedCollector { try await fields.checkCollector(tenant: tenant, in: tx) }
            let row = try await tx.query("""
                UPDATE clients AS c SET name = \(fields.name), email = \(fields.email), phone = \(fields.phone),
                    preferred_channel = \(fields.preferredChannel?.rawValue), do_not_contact = \(fields.doNotContact),
                    payment_terms_days = \(fields.paymentTermsDays), currency = \(fields.currency),
                    credit_limit_minor = \(fields.creditLimitMinor), status = \(fields.status.code),
                    agency_name = \(fields.agencyName), agency_placed_on = \(fields.agencyPlacedOn),
                    assigned_collector = \(fields.assignedCollector), kind = \(fields.kind?.rawValue),
                    time_zone = \(fields.timeZone)
                WHERE c.tenant_id = \(tenant) AND c.id = \(before.id)
                RETURNING \(unescaped: Client.columns)
                """)
            let after = try Client(row: row[0])
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "update", entity: "client",
                                   entityID: before.ref, before: before, after: after)
            return after
        }
    }

    public func get(_ ref: String) async throws -> Client {
        try await database.ledger(tenant, readOnly: true) { tx in try await Self.find(ref, tenant: tenant, in: tx) }
    }

    /// Clients in ref order, `limit` at a time, after the cursor `after` (a ref).
    /// With `matching`, only those whose name or ref contains it, ignoring case;
    /// `%` and `_` in it are literal.
    public func list(matching: String? = nil, after cursor: String? = nil, limit: Int = 50) async throws -> Page<Client> {
        let limit = try Check.limit(limit)
        var filter: SQL = "TRUE"
        if let matching = matching?.trimmingASCIIWhitespace(), !matching.isEmpty {
            let pattern = Ledger.containsPattern(matching)
            filter = "(c.name ILIKE \(pattern) OR c.ref ILIKE \(pattern))"
        }
        if let cursor { filter.append(" AND c.ref > \(cursor)") }
        return try await database.ledger(tenant, readOnly: true) { tx in
            try Self.page(try await tx.query(Self.listSQL(tenant, where: filter, limit: limit)), limit: limit)
        }
    }

    /// `list`'s query: the clients that meet `filter`, in ref order, one more than `limit`.
    static func listSQL(_ tenant: UUID, where filter: SQL = "TRUE", limit: Int) -> SQL {
        """
        SELECT \(unescaped: Client.columns) FROM clients c
        WHERE c.tenant_id = \(tenant) AND \(filter) ORDER BY c.ref LIMIT \(limit + 1)
        """
    }

    /// `list`'s page of the rows of `listSQL`.
    static func page(_ rows: PostgresRows, limit: Int) throws -> Page<Client> {
        Page.from(try rows.map(Client.init(row:)), limit: limit, key: \.ref)
    }

    /// `tenant`'s client with `ref`, optionally locked for an update in this transaction.
    package static func find(_ ref: String, tenant: UUID, in tx: PostgresConnection, lock: Bool = false) async throws -> Client {
        guard let row = try await tx.query("""
            SELECT \(unescaped: Client.columns) FROM clients c WHERE c.tenant_id = \(tenant) AND c.ref = \(ref)
            \(unescaped: lock ? "FOR UPDATE" : "")
            """).first else {
            throw ServiceError.notFound("no client with ref \"\(ref)\"")
        }
        return try Client(row: row)
    }

    /// Every field but the ref, validated as one: the checks of sql/0001 in words.
    /// Its memberwise initializer is the compiler's (`create` uses it); a
    /// client's own fields come in through the extension below.
    fileprivate struct Fields {
        var name: String
        var email: String?
        var phone: String?
        var preferredChannel: ContactChannel?
        var doNotContact: Bool
        var paymentTermsDays: Int
        var currency: String?
        var creditLimitMinor: Int64?
        var status: Client.Status
        var assignedCollector: String?
        var kind: ClientKind?
        var timeZone: String?

        /// A limit brings its currency; a limit in another currency than the one
        /// given alongside it is refused rather than guessed at.
        mutating func setCreditLimit(_ limit: Money?, clearing: Bool = false) throws {
            guard let limit else {
                if clearing { creditLimitMinor = nil }
                return
            }
            try Currency.validate(limit.currency)
            guard limit.amountMinor >= 0 else {
                throw ServiceError.invalid("a credit limit cannot be negative (\(limit.formatted))")
            }
            if let currency, currency != limit.currency, !clearing {
                throw ServiceError.invalid("the credit limit is in \(limit.currency) but the client's currency is \(currency)")
            }
            currency = limit.currency
            creditLimitMinor = limit.amountMinor
        }

        var agencyName: String? {
            if case .agency(let name, _) = status { return name }
            return nil
        }

        var agencyPlacedOn: CalendarDate? {
            if case .agency(_, let date) = status { return date }
            return nil
        }

        mutating func validate() throws {
            name = try Check.text(name, "the client name", 1...200)
            email = try Check.optionalText(email, "the email address", 3...254)
            if let email, !email.contains("@") || email.contains(where: \.isWhitespace) {
                throw ServiceError.invalid("\"\(email)\" is not an email address")
            }
            phone = try Check.optionalText(phone, "the phone number", 1...64)
            guard (0...3650).contains(paymentTermsDays) else {
                throw ServiceError.invalid("payment terms must be 0-3650 days, not \(paymentTermsDays)")
            }
            if let currency { try Currency.validate(currency) }
            if creditLimitMinor != nil, currency == nil {
                throw ServiceError.invalid("a credit limit needs a currency")
            }
            if case .agency(let agency, let placedOn) = status {
                status = .agency(name: try Check.text(agency, "the agency name", 1...200), placedOn: placedOn)
            }
            assignedCollector = try Check.optionalText(assignedCollector, "the assigned collector", 1...200)
            // Checked as text before it is looked up: a NUL byte cannot even reach the query.
            timeZone = try Check.optionalText(timeZone, "the time zone", 1...64)
        }

        /// An assigned collector is one of the tenant's collectors (sql/0022's key),
        /// refused in words naming it, before the key would refuse it.
        func checkCollector(tenant: UUID, in tx: PostgresConnection) async throws {
            guard let assignedCollector else { return }
            _ = try await Collectors.collector(handle: assignedCollector, tenant: tenant, in: tx)
        }

        /// A zone PostgreSQL's conversions take (sql/functions time_zone_known).
        func checkTimeZone(in tx: PostgresConnection) async throws {
            guard let timeZone else { return }
            guard try await tx.query("SELECT time_zone_known(\(timeZone)) AS known").scalar(Bool.self) == true else {
                throw ServiceError.invalid("unknown time zone \"\(timeZone)\": use an IANA name such as America/Chicago")
            }
        }
    }
}

extension Clients.Fields {
    /// What `update` starts from: the client as stored.
    init(_ client: Client) {
        name = client.name
        email = client.email
        phone = client.phone
        preferredChannel = client.preferredChannel
        doNotContact = client.doNotContact
        paymentTermsDays = client.paymentTermsDays
        currency = client.currency
        creditLimitMinor = client.creditLimitMinor
        status = client.status
        assignedCollector = client.assignedCollector
        kind = client.kind
        timeZone = client.timeZone
    }
}
