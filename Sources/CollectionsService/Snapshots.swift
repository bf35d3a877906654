import Postgres

/// Stores a day's ageing (per currency and per client) and KPIs (per currency),
/// computed by the same SQL functions the live reports use (sql/0002), upserted
/// on (tenant, as_of, currency[, client]) so a rerun overwrites with equal rows.
enum Snapshots {
    static func store(_ tx: PostgresConnection, tenant: Tenant, asOf: CalendarDate) async throws -> Int {
        let limits = tenant.ageingBucketLimits.map(Int32.init)
        // A currency or client that no longer has rows for this day must not keep
        // an old snapshot row: replace the day's rows wholesale.
        let results = try await tx.pipeline([
            "DELETE FROM ageing_snapshots WHERE tenant_id = current_tenant_id() AND as_of = \(asOf)",
            "DELETE FROM client_ageing_snapshots WHERE tenant_id = current_tenant_id() AND as_of = \(asOf)",
            "DELETE FROM kpi_snapshots WHERE tenant_id = current_tenant_id() AND as_of = \(asOf)",
            "DELETE FROM csat_snapshots WHERE tenant_id = current_tenant_id() AND as_of = \(asOf)",
            """
            INSERT INTO ageing_snapshots (tenant_id, as_of, currency, bucket_limits, total_minor, current_minor,
                                          bucket_minor, disputed_minor, unapplied_credit_minor)
            SELECT current_tenant_id(), \(asOf), a.currency, \(limits), a.total_minor, a.current_minor,
                   a.bucket_minor, a.disputed_minor, a.unapplied_credit_minor
            FROM (\(Ageing.rowsSQL(asOf: asOf, bucketLimits: tenant.ageingBucketLimits))) a
            """,
            """
            INSERT INTO client_ageing_snapshots (tenant_id, as_of, client_id, currency, bucket_limits, total_minor,
                                                 current_minor, bucket_minor, disputed_minor, unapplied_credit_minor)
            SELECT current_tenant_id(), \(asOf), a.client_id, a.currency, \(limits), a.total_minor, a.current_minor,
                   a.bucket_minor, a.disputed_minor, a.unapplied_credit_minor
            FROM (\(Ageing.byClientRowsSQL(asOf: asOf, bucketLimits: tenant.ageingBucketLimits))) a
            """,
            """
            INSERT INTO kpi_snapshots (tenant_id, as_of, currency, dso_period_days, cei_period_days, ar_minor,
                                       current_minor, credit_sales_minor, dso, countback_dso, best_possible_dso,
                                       average_days_delinquent, cei, percent_current, bad_debt_ratio,
                                       promise_kept_rate, csat_percent, csat_average, csat_count, promise_grace_days,
                                       cei_opening_ar_minor, cei_credit_sales_minor, write_offs_minor, promises_due,
                                       promises_kept)
            SELECT current_tenant_id(), \(asOf), k.currency, \(Int32(tenant.dsoPeriodDays)), \(Int32(tenant.ceiPeriodDays)),
                   k.ar_minor, k.current_minor, k.credit_sales_minor, k.dso, k.countback_dso, k.best_possible_dso,
                   k.average_days_delinquent, k.cei, k.percent_current, k.bad_debt_ratio, k.promise_kept_rate,
                   k.csat_percent, k.csat_average, k.csat_count, \(Int32(tenant.promiseGraceDays)),
                   k.cei_opening_ar_minor, k.cei_credit_sales_minor, k.write_offs_minor, k.promises_due, k.promises_kept
            FROM (\(KPIs.rowsSQL(asOf: asOf, tenant: tenant))) k
            """,
            """
            INSERT INTO csat_snapshots (tenant_id, as_of, csat_percent, csat_average, csat_count)
            SELECT current_tenant_id(), \(asOf), s.csat_percent, s.csat_average, s.csat_count
            FROM (\(KPIs.csatSQL(asOf: asOf, tenant: tenant))) s
            """,
        ])
        return results[4...].reduce(0) { $0 + $1.affectedRows }
    }
}
