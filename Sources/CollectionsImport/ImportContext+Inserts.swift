import Postgres

extension ImportContext {
    /// Inserts the good rows with `insert`, which leaves a row already stored as
    /// it is (`ON CONFLICT ... DO NOTHING`); for a dry run nothing is written and
    /// the rows `from` selects (the good staged rows) that `stored` (the stored
    /// twin of row `s`, naming the tenant) does not find are counted instead:
    /// either way, how many rows are new.
    func insertNew(from: SQL, stored: SQL, insert: SQL, dryRun: Bool) async throws -> Int {
        if dryRun {
            return try await tx.query("SELECT count(*) \(from) AND NOT EXISTS (\(stored))").scalar(Int.self) ?? 0
        }
        return try await tx.execute(insert)
    }
}
