import Foundation
import Postgres

/// A tenant's data as files: what a lender takes away when it leaves, or what
/// an operator moves to another instance before `tenant delete` erases it.
///
/// Clients, invoices, payments and contact notes come in the import files'
/// columns (DESIGN.md "Import files"), so `collections-admin import` reads them
/// back into a fresh tenant; every tenant table also comes whole as JSON lines
/// (`TABLE.jsonl`), for what the import files cannot carry: disputes, write-offs,
/// charges, reversals, plans, placements, holds, consents, the audit log...
/// Secrets (`secret`, `secret_hash`: webhook signing secrets, API key hashes)
/// are left out: nothing in an export can authenticate.
///
/// One repeatable-read, read-only transaction as the registry: every file is
/// the same moment's, and every statement names the tenant.
public struct TenantExport: Sendable {
    public let database: CollectionsDatabase
    public init(database: CollectionsDatabase) { self.database = database }

    /// The columns that never leave the database.
    static let secretColumns = ["secret", "secret_hash"]

    public func files(_ slug: String) async throws -> [TenantExportFile] {
        try await database.asRegistry { tx in
            try await tx.simpleQuery("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            let tenant = try await TenantRegistry.find(slug, in: tx)
            try await CollectionsDatabase.setTenant(tenant.id, in: tx)
            var files = [
                try await Self.clients(tenant.id, in: tx), try await Self.invoices(tenant.id, in: tx),
                try await Self.payments(tenant.id, in: tx), try await Self.notes(tenant.id, in: tx),
            ]
            for table in try await TenantTables.names(in: tx) {
                files.append(try await Self.rows(of: table, tenant: tenant.id, in: tx))
            }
            return files
        }
    }

    /// An amount as the import files write it (`Money.plain`), empty when none.
    static func amount(_ minor: Int64?, _ currency: String?) -> String {
        guard let minor, let currency else { return "" }
        return Money(amountMinor: minor, currency: currency).plain
    }

    /// `sms_consent` is the consent in force for the client's phone
    /// (`contact_permission`, the gate's reading), as the clients import takes it.
    static func clients(_ tenant: UUID, in tx: PostgresConnection) async throws -> TenantExportFile {
        let rows = try await tx.query("""
            SELECT c.ref, c.name, c.email, c.phone, c.payment_terms_days, c.credit_limit_minor, c.currency::text,
                   c.kind, c.time_zone,
                   CASE WHEN coalesce((SELECT p.granted FROM contact_permission(\(tenant), c.id, 'sms', c.phone, 'infinity') p),
                                      false)
                        THEN 'yes' ELSE 'no' END
            FROM clients c WHERE c.tenant_id = \(tenant) ORDER BY c.ref
            """).decode((String, String, String?, String?, Int, Int64?, String?, String?, String?, String).self)
        return TenantExportFile(name: "clients.csv", content: .table(
            headers: ["ref", "name", "email", "phone", "payment_terms_days", "credit_limit", "currency", "kind",
                      "time_zone", "sms_consent"],
            rows: rows.map { r in
                [r.0, r.1, r.2 ?? "", r.3 ?? "", String(r.4), amount(r.5, r.6), r.6 ?? "", r.7 ?? "", r.8 ?? "", r.9]
            }))
    }

    static func invoices(_ tenant: UUID, in tx: PostgresConnection) async throws -> TenantExportFile {
        let rows = try await tx.query("""
            SELECT c.ref, i.number, i.currency::text, i.amount_minor, to_char(i.issued_on, 'YYYY-MM-DD'),
                   to_char(i.due_on, 'YYYY-MM-DD')
            FROM invoices i JOIN clients c ON c.tenant_id = \(tenant) AND c.id = i.client_id
            WHERE i.tenant_id = \(tenant) ORDER BY i.issued_on, i.number
            """).decode((String, String, String, Int64, String, String).self)
        return TenantExportFile(name: "invoices.csv", content: .table(
            headers: ["client_ref", "number", "currency", "amount", "issued_on", "due_on"],
            rows: rows.map { r in [r.0, r.1, r.2, amount(r.3, r.2), r.4, r.5] }))
    }

    /// In the order they were received, so that an import posts them in that
    /// order. `invoice_number` names the invoice when all a payment went to is
    /// one invoice; a payment spread over several (or all credit) has none, and
    /// the import applies it oldest due first again.
    static func payments(_ tenant: UUID, in tx: PostgresConnection) async throws -> TenantExportFile {
        let rows = try await tx.query("""
            SELECT c.ref, p.reference, p.currency::text, p.amount_minor, to_char(p.received_on, 'YYYY-MM-DD'),
                   (SELECT CASE WHEN count(DISTINCT a.invoice_id) = 1 THEN min(i.number) END
                    FROM payment_applications a JOIN invoices i ON i.tenant_id = \(tenant) AND i.id = a.invoice_id
                    WHERE a.tenant_id = \(tenant) AND a.payment_id = p.id)
            FROM payments p JOIN clients c ON c.tenant_id = \(tenant) AND c.id = p.client_id
            WHERE p.tenant_id = \(tenant) ORDER BY p.received_on, p.created_at, p.reference
            """).decode((String, String, String, Int64, String, String?).self)
        return TenantExportFile(name: "payments.csv", content: .table(
            headers: ["client_ref", "reference", "currency", "amount", "received_on", "invoice_number"],
            rows: rows.map { r in [r.0, r.1, r.2, amount(r.3, r.2), r.4, r.5 ?? ""] }))
    }

    /// Every contact note, `noted_at` in UTC to the microsecond (the notes
    /// import knows a note again by its client, time, channel and body).
    static func notes(_ tenant: UUID, in tx: PostgresConnection) async throws -> TenantExportFile {
        let rows = try await tx.query("""
            SELECT c.ref, to_char(n.noted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), n.channel, n.author,
                   n.body, n.outcome, n.promise_amount_minor, n.promise_currency::text,
                   to_char(n.promise_date, 'YYYY-MM-DD'), n.satisfaction::int
            FROM contact_notes n JOIN clients c ON c.tenant_id = \(tenant) AND c.id = n.client_id
            WHERE n.tenant_id = \(tenant) ORDER BY n.noted_at, n.created_at, n.id
            """).decode((String, String, String, String?, String?, String?, Int64?, String?, String?, Int?).self)
        return TenantExportFile(name: "notes.csv", content: .table(
            headers: ["client_ref", "noted_at", "channel", "author", "body", "outcome", "promise_amount", "promise_date",
                      "satisfaction"],
            rows: rows.map { r in
                [r.0, r.1, r.2, r.3 ?? "", r.4 ?? "", r.5 ?? "", amount(r.6, r.7), r.8 ?? "", r.9.map(String.init) ?? ""]
            }))
    }

    /// A tenant table's rows as stored, one JSON object a line, without the
    /// tenant and the secret columns.
    static func rows(of table: String, tenant: UUID, in tx: PostgresConnection) async throws -> TenantExportFile {
        let hidden = (["tenant_id"] + secretColumns).map { " - '\($0)'" }.joined()
        let lines = try await tx.query("""
            SELECT (to_jsonb(t)\(unescaped: hidden))::text FROM \(identifier: table) t
            WHERE t.tenant_id = \(tenant) ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
        return TenantExportFile(name: "\(table).jsonl", content: .jsonLines(lines))
    }
}
