public import Foundation
public import Postgres

/// Ageing as of a date, computed in the database (`report_ageing`,
/// `report_ageing_by_client` in `sql/0002_reporting.sql`), one statement per report.
public enum Ageing {
    /// The past-due buckets of a tenant's limits: {30,60,90} gives 1-30, 31-60,
    /// 61-90 and 91+ (the last with no upper end).
    public static func buckets(limits: [Int]) -> [(label: String, fromDays: Int, toDays: Int?)] {
        var result: [(label: String, fromDays: Int, toDays: Int?)] = []
        var from = 1
        for limit in limits {
            result.append(("\(from)-\(limit)", from, limit))
            from = limit + 1
        }
        result.append(("\(from)+", from, nil))
        return result
    }

    // MARK: Per currency

    /// The tenant's ageing at `asOf` (default: the tenant's today), in one
    /// read-only transaction for the tenant.
    public static func compute(
        database: CollectionsDatabase, tenant: Tenant, asOf: CalendarDate? = nil
    ) async throws -> AgeingReport {
        try await Reporting.live(database, tenant: tenant, asOf: asOf) { try await compute(in: $0, tenant: tenant, asOf: $1) }
    }

    /// The same inside a transaction the caller opened with `withTenant` for
    /// `tenant` (it switches JIT off for the rest of that transaction).
    public static func compute(in tx: PostgresConnection, tenant: Tenant, asOf: CalendarDate) async throws -> AgeingReport {
        let rows = try await Reporting.run(
            "\(rowsSQL(tenant: tenant.id, asOf: asOf, bucketLimits: tenant.ageingBucketLimits)) ORDER BY currency", in: tx)
        let ranges = buckets(limits: tenant.ageingBucketLimits)
        let currencies = try rows.map { try AgeingFigures(row: $0, ranges: ranges) }
        return AgeingReport(tenant: tenant.slug, asOf: asOf, currencies: currencies)
    }

    /// The statement behind `compute`, for the worker to embed (e.g. `INSERT INTO
    /// ... SELECT <tenant>, <as of>, a.* FROM (<this>) a ON CONFLICT ...`) in a
    /// transaction with the tenant set; `tenant` is the function's first argument,
    /// so every table it reads names it (DESIGN.md "Scale-out"). Columns: currency, total_minor,
    /// current_minor, bucket_minor (bigint[], one element per past-due bucket of
    /// `bucketLimits`, in order), disputed_minor, unapplied_credit_minor.
    public static func rowsSQL(tenant: UUID, asOf: CalendarDate, bucketLimits: [Int]) -> SQL {
        """
        SELECT currency, total_minor, current_minor, bucket_minor, disputed_minor, unapplied_credit_minor \
        FROM report_ageing(\(tenant), \(asOf), \(bucketLimits)::int[])
        """
    }

    // MARK: Per client

    /// The tenant's ageing at `asOf` per client and currency.
    public static func byClient(
        database: CollectionsDatabase, tenant: Tenant, asOf: CalendarDate? = nil
    ) async throws -> ClientAgeingReport {
        try await Reporting.live(database, tenant: tenant, asOf: asOf) { try await byClient(in: $0, tenant: tenant, asOf: $1) }
    }

    /// The same inside a transaction the caller opened with `withTenant` for
    /// `tenant` (it switches JIT off for the rest of that transaction).
    public static func byClient(in tx: PostgresConnection, tenant: Tenant, asOf: CalendarDate) async throws -> ClientAgeingReport {
        let rows = try await Reporting.run("""
            SELECT a.*, c.ref AS client_ref, c.name AS client_name
            FROM (\(byClientRowsSQL(tenant: tenant.id, asOf: asOf, bucketLimits: tenant.ageingBucketLimits))) a
            JOIN clients c ON c.tenant_id = \(tenant.id) AND c.id = a.client_id
            ORDER BY a.currency, c.ref
            """, in: tx)
        let ranges = buckets(limits: tenant.ageingBucketLimits)
        let clients = try rows.map { try ClientAgeingReport.Client(row: $0, ranges: ranges) }
        return ClientAgeingReport(tenant: tenant.slug, asOf: asOf, clients: clients)
    }

    /// The statement behind `byClient`, for the worker's per-client snapshot:
    /// the columns of `rowsSQL` with client_id first.
    public static func byClientRowsSQL(tenant: UUID, asOf: CalendarDate, bucketLimits: [Int]) -> SQL {
        """
        SELECT client_id, currency, total_minor, current_minor, bucket_minor, disputed_minor, unapplied_credit_minor \
        FROM report_ageing_by_client(\(tenant), \(asOf), \(bucketLimits)::int[])
        """
    }

    static func bucketList(_ ranges: [(label: String, fromDays: Int, toDays: Int?)], amounts: [Int]) throws -> [AgeingBucket] {
        guard amounts.count == ranges.count else {
            throw PostgresError(kind: .decoding, message: "report_ageing returned \(amounts.count) buckets for \(ranges.count) bucket ranges")
        }
        return zip(ranges, amounts).map {
            AgeingBucket(label: $0.label, fromDays: $0.fromDays, toDays: $0.toDays, amountMinor: $1)
        }
    }
}
