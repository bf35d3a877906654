public import Foundation
public import Postgres

/// A tenant's collections agencies and what it places with them: agencies
/// created, balances or invoices placed and recalled, the payments an agency
/// collected posted with its commission, its recovery reported. Every place,
/// recall and remittance is audited in its own transaction.
public struct Agencies: Sendable {
    let database: CollectionsDatabase
    let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// Adds an agency earning `commissionBP` basis points (0 to 10,000) of what it collects.
    public func create(name: String, commissionBP: Int, actor: String) async throws -> Agency {
        let actor = try Check.actor(actor)
        let name = try Check.text(name, "the agency's name", 1...200)
        guard (0...10_000).contains(commissionBP) else {
            throw ServiceError.invalid("the commission must be 0 to 10000 basis points, not \(commissionBP)")
        }
        return try await database.ledger(tenant) { tx in
            let rows = try await tx.query("""
                INSERT INTO agencies AS a (tenant_id, name, commission_bp) VALUES (\(tenant), \(name), \(Int32(commissionBP)))
                ON CONFLICT (tenant_id, name) DO NOTHING
                RETURNING \(unescaped: Agency.columns)
                """)
            guard let row = rows.first else { throw ServiceError.conflict("agency \(name) exists already") }
            let agency = try Agency(row: row)
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "create", entity: "agency",
                                   entityID: agency.id.uuidString.lowercased(), before: nil, after: agency)
            return agency
        }
    }

    /// The tenant's agencies by name.
    public func list() async throws -> [Agency] {
        try await database.ledger(tenant, readOnly: true) { tx in
            try await tx.query("SELECT \(unescaped: Agency.columns) FROM agencies a WHERE a.tenant_id = \(tenant) ORDER BY a.name")
                .map(Agency.init(row:))
        }
    }

    /// Places the client's balance (`invoiceNumbers` nil: every invoice it owes on)
    /// or the invoices named with the agency, from `on` (nil: the tenant's today).
    ///
    /// Refused, in words, naming each invoice: paid, void, disputed, plan-covered
    /// or already placed ones (`placement_refusals`, the one rule), a client with
    /// an active placement, a client that owes nothing. In the same transaction
    /// the client and the invoices are marked with the agency (what its role may
    /// see), and a whole-client placement sets the client's status to `agency`,
    /// which takes it out of the lender's dunning and worklist (`contact_standing`).
    public func place(
        clientRef: String, agency agencyName: String, invoiceNumbers: [String]? = nil, on date: CalendarDate? = nil,
        actor: String
    ) async throws -> Placement {
        let actor = try Check.actor(actor)
        // Checked as text first: a control character (a NUL) is refused in words, never sent.
        let clientRef = try Check.text(clientRef, "the client's ref", 1...64)
        let agencyName = try Check.text(agencyName, "the agency's name", 1...200)
        let invoiceNumbers = try invoiceNumbers?.map { try Check.text($0, "an invoice number", 1...64) }
        return try await database.ledger(tenant) { tx in
            let day = try await date.orToday(tenant, in: tx)
            let agency = try await Self.agency(named: agencyName, tenant: tenant, in: tx)
            let clientRows = try await tx.query("""
                SELECT c.id, c.status FROM clients c WHERE c.tenant_id = \(tenant) AND c.ref = \(clientRef) FOR UPDATE
                """).decode((UUID, String).self)
            guard let clientRow = clientRows.first else { throw ServiceError.notFound("no client \(clientRef)") }
            let (client, status) = clientRow
            if let active = try await tx.query("""
                SELECT p.id, a.name FROM placements p JOIN agencies a ON a.tenant_id = \(tenant) AND a.id = p.agency_id
                WHERE p.tenant_id = \(tenant) AND p.client_id = \(client) AND p.recalled_on IS NULL
                """).decode((UUID, String).self).first {
                throw ServiceError.refused(
                    "client \(clientRef) is already placed with \(active.1) (placement \(active.0.uuidString.lowercased())); recall it first")
            }
            let invoices: [(UUID, String)]
            if let invoiceNumbers {
                guard !invoiceNumbers.isEmpty else { throw ServiceError.invalid("name at least one invoice to place") }
                let found = try await tx.query("""
                    SELECT i.id, i.number FROM invoices i
                    WHERE i.tenant_id = \(tenant) AND i.client_id = \(client) AND i.number = ANY(\(invoiceNumbers))
                    ORDER BY i.number FOR UPDATE
                    """).decode((UUID, String).self)
                let missing = Set(invoiceNumbers).subtracting(found.map { $0.1 }).sorted()
                guard missing.isEmpty else {
                    throw ServiceError.notFound("client \(clientRef) has no invoice \(missing.joined(separator: ", "))")
                }
                invoices = found
            } else {
                // The client's balance: every invoice it owes on that day.
                invoices = try await tx.query("""
                    SELECT i.id, i.number FROM report_invoice_balances(\(tenant), \(day)) b
                    JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = b.invoice_id
                    WHERE b.client_id = \(client) AND b.balance_minor > 0
                    ORDER BY i.number FOR UPDATE OF i
                    """).decode((UUID, String).self)
                guard !invoices.isEmpty else {
                    throw ServiceError.refused("client \(clientRef) owes nothing on \(day); nothing to place")
                }
            }
            let invoiceIDs = invoices.map { $0.0 }
            let refusals = try await tx.query("""
                SELECT r.number, r.reason FROM placement_refusals(\(tenant), \(invoiceIDs), \(day)) r ORDER BY r.number
                """).decode((String, String).self)
            if !refusals.isEmpty {
                throw ServiceError.refused("cannot place with \(agency.name): "
                    + refusals.map { "invoice \($0.0): \($0.1)" }.joined(separator: "; "))
            }
            let whole = invoiceNumbers == nil
            let placement = try await tx.query("""
                INSERT INTO placements (tenant_id, client_id, agency_id, whole_client, status_before, placed_on)
                VALUES (\(tenant), \(client), \(agency.id), \(whole), \(status), \(day)) RETURNING id
                """).scalar(UUID.self)!
            try await tx.insert("""
                INSERT INTO placement_invoices (tenant_id, placement_id, invoice_id, currency, placed_minor)
                SELECT \(tenant), \(placement), b.invoice_id, b.currency, b.balance_minor
                FROM report_invoice_balances(\(tenant), \(day)) b
                WHERE b.invoice_id = ANY(\(invoiceIDs))
                """)
            try await tx.execute("""
                UPDATE invoices i SET placed_agency_id = \(agency.id)
                WHERE i.tenant_id = \(tenant) AND i.id = ANY(\(invoiceIDs))
                """)
            // What the placed invoices' balances are made of (report_balance_entries),
            // so the agency sees the balances it was given.
            for table in ["invoice_charges", "payment_applications", "write_offs", "disputes"] {
                try await tx.execute("""
                    UPDATE \(identifier: table) t SET placed_agency_id = \(agency.id)
                    WHERE t.tenant_id = \(tenant) AND t.invoice_id = ANY(\(invoiceIDs))
                    """)
            }
            try await tx.execute("""
                UPDATE payments y SET placed_agency_id = \(agency.id)
                FROM (SELECT DISTINCT a.payment_id FROM payment_applications a
                      WHERE a.tenant_id = \(tenant) AND a.invoice_id = ANY(\(invoiceIDs))) a
                WHERE y.tenant_id = \(tenant) AND y.id = a.payment_id
                """)
            try await tx.execute("""
                UPDATE promise_outcomes o SET placed_agency_id = \(agency.id) WHERE o.tenant_id = \(tenant) AND o.client_id = \(client)
                """)
            if whole {
                try await tx.execute("""
                    UPDATE clients c SET placed_agency_id = \(agency.id), status = 'agency', agency_name = \(agency.name),
                                         agency_placed_on = \(day)
                    WHERE c.tenant_id = \(tenant) AND c.id = \(client)
                    """)
            } else {
                try await tx.execute("""
                    UPDATE clients c SET placed_agency_id = \(agency.id) WHERE c.tenant_id = \(tenant) AND c.id = \(client)
                    """)
            }
            let placed = try await Self.placements(tenant: tenant, ids: [placement], in: tx)[0]
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "place", entity: "placement",
                                   entityID: placement.uuidString.lowercased(), before: nil, after: placed)
            return placed
        }
    }

    /// Returns the account to the lender from `on` (nil: today): the agency's
    /// marks leave the client, its invoices and what the agency wrote on them in
    /// the same transaction, so the agency's next statement sees nothing of the
    /// client; a whole-client placement gives the client back its status before.
    public func recall(_ id: UUID, on date: CalendarDate? = nil, actor: String) async throws -> Placement {
        let actor = try Check.actor(actor)
        return try await database.ledger(tenant) { tx in
            let day = try await date.orToday(tenant, in: tx)
            let rows = try await tx.query("""
                SELECT p.client_id, p.agency_id, p.whole_client, p.status_before, p.placed_on, p.recalled_on
                FROM placements p WHERE p.tenant_id = \(tenant) AND p.id = \(id) FOR UPDATE
                """).decode((UUID, UUID, Bool, String, CalendarDate, CalendarDate?).self)
            guard let row = rows.first else { throw ServiceError.notFound("no placement \(id.uuidString.lowercased())") }
            let (client, agency, whole, statusBefore, placedOn, recalledOn) = row
            if let recalledOn { throw ServiceError.conflict("the placement was recalled on \(recalledOn) already") }
            guard day >= placedOn else { throw ServiceError.invalid("a placement cannot be recalled before it was placed (\(placedOn))") }
            let before = try await Self.placements(tenant: tenant, ids: [id], in: tx)[0]
            try await tx.execute("UPDATE placements p SET recalled_on = \(day) WHERE p.tenant_id = \(tenant) AND p.id = \(id)")
            // The marked rows first: the notes' and consents' keys point at the client's mark.
            for table in ["contact_notes", "contact_permissions", "payments", "promise_outcomes"] {
                try await tx.execute("""
                    UPDATE \(identifier: table) t SET placed_agency_id = NULL
                    WHERE t.tenant_id = \(tenant) AND t.client_id = \(client) AND t.placed_agency_id = \(agency)
                    """)
            }
            for table in ["payment_applications", "invoice_charges", "write_offs", "disputes"] {
                try await tx.execute("""
                    UPDATE \(identifier: table) t SET placed_agency_id = NULL
                    FROM invoices i
                    WHERE t.tenant_id = \(tenant) AND i.tenant_id = \(tenant) AND i.id = t.invoice_id
                      AND i.client_id = \(client) AND t.placed_agency_id = \(agency)
                    """)
            }
            try await tx.execute("""
                UPDATE invoices i SET placed_agency_id = NULL
                WHERE i.tenant_id = \(tenant) AND i.client_id = \(client) AND i.placed_agency_id = \(agency)
                """)
            try await tx.execute("""
                UPDATE clients c SET placed_agency_id = NULL,
                       status = CASE WHEN \(whole) THEN \(statusBefore) ELSE c.status END,
                       agency_name = CASE WHEN \(whole) THEN NULL ELSE c.agency_name END,
                       agency_placed_on = CASE WHEN \(whole) THEN NULL ELSE c.agency_placed_on END
                WHERE c.tenant_id = \(tenant) AND c.id = \(client)
                """)
            let after = try await Self.placements(tenant: tenant, ids: [id], in: tx)[0]
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "recall", entity: "placement",
                                   entityID: id.uuidString.lowercased(), before: before, after: after)
            return after
        }
    }

    /// Posts a payment the agency collected on an active placement through the
    /// one posting path (`Payments.post`, its reference the key), and records it
    /// as the agency's remittance with its commission (`agency_commission_minor`,
    /// at the agency's rate now, stored). The payment and its applications carry
    /// the agency's mark, so the agency sees what it reported.
    public func remit(
        placement id: UUID, reference: String, amount: Money, receivedOn: CalendarDate, actor: String
    ) async throws -> AgencyRemittance {
        let actor = try Check.actor(actor)
        try Check.positive(amount, "the payment amount")
        return try await database.ledger(tenant) { tx in
            let rows = try await tx.query("""
                SELECT c.ref, a.id, a.name, a.commission_bp, p.placed_on FROM placements p
                JOIN clients c ON c.tenant_id = \(tenant) AND c.id = p.client_id
                JOIN agencies a ON a.tenant_id = \(tenant) AND a.id = p.agency_id
                WHERE p.tenant_id = \(tenant) AND p.id = \(id) AND p.recalled_on IS NULL
                FOR SHARE OF p
                """).decode((String, UUID, String, Int32, CalendarDate).self)
            guard let row = rows.first else { throw ServiceError.notFound("no active placement \(id.uuidString.lowercased())") }
            let (clientRef, agency, agencyName, bp, placedOn) = row
            guard receivedOn >= placedOn else {
                throw ServiceError.refused("a payment received on \(receivedOn) is before the placement (\(placedOn))")
            }
            let request = PaymentRequest(clientRef: clientRef, reference: reference, amount: amount, receivedOn: receivedOn,
                                         method: "agency")
            let summary: PaymentSummary
            switch try await Payments.post(try Payments.CheckedPayment(request), idempotencyKey: reference, actor: actor,
                                           tenant: tenant, in: tx) {
            case .posted(let posted): summary = posted
            case .replayed: throw ServiceError.conflict("payment \(reference) was posted already")
            case .keyUsedForAnotherRequest: throw ServiceError.conflict("payment reference \(reference) is taken")
            }
            let commission = try await tx.query("""
                INSERT INTO agency_remittances (tenant_id, placement_id, agency_id, payment_id, currency, amount_minor,
                                                commission_bp, commission_minor, received_on)
                VALUES (\(tenant), \(id), \(agency), \(summary.payment.id), \(amount.currency), \(amount.amountMinor),
                        \(bp), agency_commission_minor(\(amount.amountMinor), \(bp)), \(receivedOn))
                RETURNING commission_minor
                """).scalar(Int64.self)!
            try await tx.execute("""
                UPDATE payments y SET placed_agency_id = \(agency) WHERE y.tenant_id = \(tenant) AND y.id = \(summary.payment.id)
                """)
            try await tx.execute("""
                UPDATE payment_applications a SET placed_agency_id = \(agency)
                WHERE a.tenant_id = \(tenant) AND a.payment_id = \(summary.payment.id)
                """)
            let remittance = AgencyRemittance(
                placementID: id, agency: agencyName, payment: summary, commissionBP: Int(bp),
                commission: Money(amountMinor: commission, currency: amount.currency))
            try await Audit.record(tx, tenant: tenant, actor: actor, action: "remit", entity: "placement",
                                   entityID: id.uuidString.lowercased(), before: nil, after: remittance)
            return remittance
        }
    }

    /// The tenant's placements, newest first, with what each collected.
    public func placements() async throws -> [Placement] {
        try await database.ledger(tenant, readOnly: true) { tx in try await Self.placements(tenant: tenant, ids: nil, in: tx) }
    }

    /// A page of them, newest first: `limit` placements after the one whose id is
    /// `cursor`, and the cursor of the next page (nil on the last).
    public func page(after cursor: String? = nil, limit: Int = 50) async throws -> (placements: [Placement], nextCursor: String?) {
        let limit = try Check.limit(limit)
        let after = try cursor.map { text in
            guard let id = UUID(uuidString: text) else { throw ServiceError.invalid("the cursor is not a placement id") }
            return id
        }
        return try await database.ledger(tenant, readOnly: true) { tx in
            // A cursor that names no placement of this tenant is as good as the end.
            let ids = try await tx.query("""
                SELECT p.id FROM placements p
                WHERE p.tenant_id = \(tenant)
                  AND (\(after)::uuid IS NULL OR (p.placed_on, p.created_at, p.id) < (
                      SELECT q.placed_on, q.created_at, q.id FROM placements q WHERE q.tenant_id = \(tenant) AND q.id = \(after)))
                ORDER BY p.placed_on DESC, p.created_at DESC, p.id DESC
                LIMIT \(Int32(limit + 1))
                """).map { try $0.decode(UUID.self, at: 0) }
            let shown = Array(ids.prefix(limit))
            let placements = shown.isEmpty ? [] : try await Self.placements(tenant: tenant, ids: shown, in: tx)
            return (placements, ids.count > limit ? shown.last?.uuidString.lowercased() : nil)
        }
    }

    /// Each agency's recovery rate per currency at `asOf` (nil: today).
    public func recovery(asOf date: CalendarDate? = nil) async throws -> [AgencyRecovery] {
        try await database.ledger(tenant, readOnly: true) { tx in
            let day = try await date.orToday(tenant, in: tx)
            return try await AgencyRecovery.all(tenant: tenant, asOf: day, in: tx)
        }
    }

    static func agency(named name: String, tenant: UUID, in tx: PostgresConnection) async throws -> Agency {
        let rows = try await tx.query("""
            SELECT \(unescaped: Agency.columns) FROM agencies a WHERE a.tenant_id = \(tenant) AND a.name = \(name)
            """)
        guard let row = rows.first else { throw ServiceError.notFound("no agency \(name)") }
        return try Agency(row: row)
    }

    /// The placements named (every one when nil), newest first.
    static func placements(tenant: UUID, ids: [UUID]?, in tx: PostgresConnection) async throws -> [Placement] {
        let rows = try await tx.query("""
            SELECT p.id, c.ref, a.name, p.whole_client, p.placed_on, p.recalled_on,
                   coalesce((SELECT array_agg(i.number ORDER BY i.number) FROM placement_invoices pi
                             JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = pi.invoice_id
                             WHERE pi.tenant_id = \(tenant) AND pi.placement_id = p.id), '{}') AS numbers,
                   coalesce((SELECT array_agg(pi.currency::text ORDER BY i.number) FROM placement_invoices pi
                             JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = pi.invoice_id
                             WHERE pi.tenant_id = \(tenant) AND pi.placement_id = p.id), '{}') AS currencies,
                   coalesce((SELECT array_agg(pi.placed_minor ORDER BY i.number) FROM placement_invoices pi
                             JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = pi.invoice_id
                             WHERE pi.tenant_id = \(tenant) AND pi.placement_id = p.id), '{}') AS amounts,
                   coalesce((SELECT array_agg(r.currency::text ORDER BY r.currency) FROM (
                                 SELECT r.currency FROM agency_remittances r
                                 WHERE r.tenant_id = \(tenant) AND r.placement_id = p.id GROUP BY r.currency) r), '{}')
                       AS remitted_currencies,
                   coalesce((SELECT array_agg(r.collected ORDER BY r.currency) FROM (
                                 SELECT r.currency, sum(r.amount_minor)::bigint AS collected FROM agency_remittances r
                                 WHERE r.tenant_id = \(tenant) AND r.placement_id = p.id GROUP BY r.currency) r), '{}')
                       AS collected,
                   coalesce((SELECT array_agg(r.commission ORDER BY r.currency) FROM (
                                 SELECT r.currency, sum(r.commission_minor)::bigint AS commission FROM agency_remittances r
                                 WHERE r.tenant_id = \(tenant) AND r.placement_id = p.id GROUP BY r.currency) r), '{}')
                       AS commission
            FROM placements p
            JOIN clients c ON c.tenant_id = \(tenant) AND c.id = p.client_id
            JOIN agencies a ON a.tenant_id = \(tenant) AND a.id = p.agency_id
            WHERE p.tenant_id = \(tenant) AND (\(ids)::uuid[] IS NULL OR p.id = ANY (\(ids)::uuid[]))
            ORDER BY p.placed_on DESC, p.created_at DESC, p.id DESC
            """).decode((UUID, String, String, Bool, CalendarDate, CalendarDate?, [String], [String], [Int64], [String],
                         [Int64], [Int64]).self)
        return rows.map { row in
            Placement(
                id: row.0, clientRef: row.1, agency: row.2, wholeClient: row.3, placedOn: row.4, recalledOn: row.5,
                invoices: zip(row.6, zip(row.7, row.8)).map {
                    Placement.PlacedInvoice(number: $0.0, placed: Money(amountMinor: $0.1.1, currency: $0.1.0))
                },
                collected: zip(row.9, row.10).map { Money(amountMinor: $0.1, currency: $0.0) },
                commission: zip(row.9, row.11).map { Money(amountMinor: $0.1, currency: $0.0) })
        }
    }
}
