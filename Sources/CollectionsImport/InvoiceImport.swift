import Foundation
import Postgres
import CollectionsService

/// `client_ref,number,currency,amount,issued_on,due_on`: invoices, unique by
/// number per tenant. Without `due_on` an invoice falls due the client's payment
/// terms after it is issued. An invoice already stored with the same details is
/// left as it is; with other details the row is bad.
enum InvoiceImport {
    static func check(_ context: ImportContext) async throws {
        let due = "coalesce(s.due_on, s.issued_on + c.payment_terms_days)"
        let comparable = "s.problems IS NULL AND c.id IS NOT NULL AND cu.code IS NOT NULL AND i.id IS NOT NULL"
        try await context.record(
            from: """
                \(context.stagedWithClientAndCurrency)
                LEFT JOIN invoices i ON i.tenant_id = \(context.tenant.id) AND i.number = s.number
                LEFT JOIN clients ic ON ic.tenant_id = \(context.tenant.id) AND ic.id = i.client_id
                LEFT JOIN \(unescaped: ImportCheck.duplicates(of: "number")) d ON d.number = s.number
                """,
            [
                .knownClient,
                .knownCurrency,
                ImportCheck(
                    "due_on", "s.due_on < s.issued_on",
                    "format('%s is before the issue date %s', s.due_on, s.issued_on)"),
                ImportCheck.unique("number", "invoice number"),
                ImportCheck(
                    "number",
                    """
                    \(comparable) AND (i.client_id <> c.id OR i.currency <> s.currency
                        OR i.amount_minor <> s.amount * cu.factor OR i.issued_on <> s.issued_on OR i.due_on <> \(due))
                    """,
                    """
                    format('invoice %s already exists with different details: %s', s.number, concat_ws(', ',
                        CASE WHEN i.client_id <> c.id THEN format('client %s here, %s stored', s.client_ref, ic.ref) END,
                        CASE WHEN i.currency <> s.currency OR i.amount_minor <> s.amount * cu.factor THEN
                            format('amount %s %s here, %s %s stored', s.amount, s.currency,
                                   round(i.amount_minor / (SELECT 10::numeric ^ x.exponent FROM currencies x WHERE x.code = i.currency),
                                         (SELECT x.exponent FROM currencies x WHERE x.code = i.currency)), i.currency) END,
                        CASE WHEN i.issued_on <> s.issued_on THEN format('issued_on %s here, %s stored', s.issued_on, i.issued_on) END,
                        CASE WHEN i.due_on <> \(due) THEN format('due_on %s here, %s stored', \(due), i.due_on) END))
                    """),
            ] + ImportCheck.amount("amount"))
    }

    /// Inserts the good rows not already stored; returns how many were inserted
    /// (would be, for a dry run).
    static func write(_ context: ImportContext, dryRun: Bool) async throws -> Int {
        let from: SQL = """
            FROM import_stage s
            JOIN tenant_clients c ON c.ref = s.client_ref
            JOIN \(unescaped: ImportCheck.currencies) cu ON cu.code = s.currency
            WHERE \(unescaped: ImportContext.good)
            """
        // Ids in file order (see `idPrefix`), so the indexes on id are appended to.
        return try await context.insertNew(
            with: context.tenantClients, from: from,
            stored: "invoices", key: "number",
            insert: """
                INSERT INTO invoices (tenant_id, id, client_id, number, currency, amount_minor, issued_on, due_on)
                \(context.tenantClients)
                SELECT \(context.tenant.id), (\(idPrefix()) || lpad(to_hex(s.line), 12, '0'))::uuid, c.id, s.number, s.currency,
                       \(unescaped: ImportCheck.minor("amount")), s.issued_on, coalesce(s.due_on, s.issued_on + c.payment_terms_days)
                \(from)
                ON CONFLICT (tenant_id, number) DO NOTHING
                """,
            dryRun: dryRun)
    }

    /// The first 24 characters of a time-ordered UUID (RFC 9562 version 7): the
    /// Unix time in milliseconds, the version, 26 random bits and the variant.
    /// The import appends the row's line (48 bits) to it.
    ///
    /// Random (version 4) ids land anywhere in the primary key and in
    /// (tenant, client, id), so a million inserts dirty pages all over both;
    /// ids that grow with the line are appended. Measured: a million rows into
    /// a table keyed by random UUIDs took 4x as long as by increasing keys. The
    /// id says when the import ran and on which line the row was, nothing about
    /// any other tenant.
    static func idPrefix(now: Date = Date()) -> String {
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        let time = hex(UInt64(now.timeIntervalSince1970 * 1000) & 0xFFFF_FFFF_FFFF, 12)
        let randomA = hex(UInt64.random(in: 0...0xFFF), 3)
        let variantAndRandom = hex(0x8000 | UInt64.random(in: 0...0x3FFF), 4)
        return "\(time.prefix(8))-\(time.suffix(4))-7\(randomA)-\(variantAndRandom)-"
    }
}
