import Foundation
import Postgres
import CollectionsService

/// `ref,name,email,phone,payment_terms_days,credit_limit,currency`, and optionally
/// `kind,time_zone,sms_consent`: clients, unique by ref per tenant (only `ref` and
/// `name` are required; payment terms default to 30 days; a credit limit is in the
/// client's currency, so it needs one; kind and time zone default to the tenant's;
/// `sms_consent` yes records a consent to texts at the client's phone, sourced
/// "import"). A client already stored with the same details is left as it is; with
/// other details the row is bad. Only the columns the file has are compared (a
/// stored client's consent is the latest recorded for its phone).
enum ClientImport {
    static func check(_ context: ImportContext) async throws {
        var differences: [(condition: String, label: String)] = [
            ("c.name <> s.name", "format('name \"%s\" here, \"%s\" stored', s.name, c.name)")
        ]
        if context.has("email") {
            differences.append(("c.email IS DISTINCT FROM s.email", "format('email %s here, %s stored', coalesce(s.email, '(none)'), coalesce(c.email, '(none)'))"))
        }
        if context.has("phone") {
            differences.append(("c.phone IS DISTINCT FROM s.phone", "format('phone %s here, %s stored', coalesce(s.phone, '(none)'), coalesce(c.phone, '(none)'))"))
        }
        if context.has("payment_terms_days") {
            differences.append(("c.payment_terms_days <> coalesce(s.payment_terms_days, 30)",
                                "format('payment_terms_days %s here, %s stored', coalesce(s.payment_terms_days, 30), c.payment_terms_days)"))
        }
        if context.has("currency") {
            differences.append(("c.currency::text IS DISTINCT FROM s.currency",
                                "format('currency %s here, %s stored', coalesce(s.currency, '(none)'), coalesce(c.currency::text, '(none)'))"))
        }
        if context.has("credit_limit") {
            differences.append(("c.credit_limit_minor IS DISTINCT FROM s.credit_limit * cu.factor",
                                "format('credit_limit %s here, %s stored', coalesce(s.credit_limit::text, '(none)'), coalesce(round(c.credit_limit_minor / cl.factor, cl.exponent)::text, '(none)'))"))
        }
        if context.has("kind") {
            differences.append(("c.kind IS DISTINCT FROM s.kind",
                                "format('kind %s here, %s stored', coalesce(s.kind, '(none)'), coalesce(c.kind, '(none)'))"))
        }
        if context.has("time_zone") {
            differences.append(("c.time_zone IS DISTINCT FROM s.time_zone",
                                "format('time_zone %s here, %s stored', coalesce(s.time_zone, '(none)'), coalesce(c.time_zone, '(none)'))"))
        }
        if context.has("sms_consent") {
            differences.append(("coalesce(s.sms_consent, 'no') <> \(Self.smsConsent("c", tenant: context.tenant.id))",
                                "format('sms_consent %s here, %s stored', coalesce(s.sms_consent, 'no'), \(Self.smsConsent("c", tenant: context.tenant.id)))"))
        }
        let differs = differences.map { "(\($0.condition))" }.joined(separator: " OR ")
        let labels = differences.map { "CASE WHEN \($0.condition) THEN \($0.label) END" }.joined(separator: ", ")
        try await context.record(
            from: """
                FROM import_stage s
                LEFT JOIN \(unescaped: ImportCheck.currencies) cu ON cu.code = s.currency
                LEFT JOIN clients c ON c.tenant_id = \(context.tenant.id) AND c.ref = s.ref
                LEFT JOIN \(unescaped: ImportCheck.currencies) cl ON cl.code = c.currency::text
                LEFT JOIN \(unescaped: ImportCheck.duplicates(of: "ref")) d ON d.ref = s.ref
                """,
            [
                .knownCurrency,
                ImportCheck(
                    "credit_limit", "s.credit_limit IS NOT NULL AND s.currency IS NULL",
                    "'a credit limit needs a currency: fill in the currency column'"),
                ImportCheck.unique("ref", "client ref"),
                ImportCheck(
                    "time_zone", "s.time_zone IS NOT NULL AND NOT time_zone_known(s.time_zone)",
                    "format('unknown time zone \"%s\": use an IANA name such as America/Chicago', s.time_zone)"),
                ImportCheck(
                    "ref", "s.problems IS NULL AND cu.code IS NOT DISTINCT FROM s.currency AND c.id IS NOT NULL AND (\(differs))",
                    "format('client %s already exists with different details: %s', s.ref, concat_ws(', ', \(labels)))"),
            ] + ImportCheck.amount("credit_limit"))
    }

    static func write(_ context: ImportContext, dryRun: Bool) async throws -> Int {
        let from: SQL = """
            FROM import_stage s
            LEFT JOIN \(unescaped: ImportCheck.currencies) cu ON cu.code = s.currency
            WHERE \(unescaped: ImportContext.good)
            """
        let written = try await context.insertNew(
            from: from, stored: "clients", key: "ref",
            insert: """
                INSERT INTO clients (tenant_id, ref, name, email, phone, payment_terms_days, credit_limit_minor, currency,
                                     kind, time_zone)
                SELECT \(context.tenant.id), s.ref, s.name, s.email, s.phone, coalesce(s.payment_terms_days, 30),
                       \(unescaped: ImportCheck.minor("credit_limit")), s.currency, s.kind, s.time_zone
                \(from)
                ON CONFLICT (tenant_id, ref) DO NOTHING
                """,
            dryRun: dryRun)
        // The consents of the clients just written (a stored client's must already
        // be the file's, or its row was bad).
        if context.has("sms_consent"), !dryRun {
            try await context.tx.insert("""
                INSERT INTO contact_permissions (tenant_id, client_id, channel, address, granted, source, recorded_at)
                \(context.tenantClients)
                SELECT \(context.tenant.id), c.id, 'sms', c.phone, true, 'import', now()
                FROM import_stage s
                JOIN tenant_clients c ON c.ref = s.ref
                WHERE \(unescaped: ImportContext.good) AND s.sms_consent = 'yes' AND \(unescaped: Self.smsConsent("c", tenant: context.tenant.id)) = 'no'
                """)
        }
        return written
    }

    /// 'yes' when the latest consent record for the client's phone (or all its
    /// numbers) grants texts, else 'no': the gate's reading (dunning_plan).
    static func smsConsent(_ client: String, tenant: UUID) -> String {
        """
        (CASE WHEN coalesce((SELECT p.granted
                             FROM contact_permission('\(tenant.uuidString.lowercased())'::uuid, \(client).id, 'sms',
                                                     \(client).phone, 'infinity') p), false)
              THEN 'yes' ELSE 'no' END)
        """
    }
}
