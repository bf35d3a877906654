import Postgres

extension AgeingFigures {
    /// The figures of a row of `Ageing.rowsSQL`, `Ageing.byClientRowsSQL` or an
    /// ageing snapshot: live and stored reports name the columns alike, so one
    /// reading serves them all. `ranges` are the past-due buckets the row's
    /// `bucket_minor` was computed for.
    init(row: PostgresRow, ranges: [(label: String, fromDays: Int, toDays: Int?)]) throws {
        self.init(
            currency: try row["currency"],
            totalMinor: try row["total_minor"],
            currentMinor: try row["current_minor"],
            buckets: try Ageing.bucketList(ranges, amounts: try row["bucket_minor"]),
            disputedMinor: try row["disputed_minor"],
            unappliedCreditMinor: try row["unapplied_credit_minor"])
    }
}
