import Foundation
import Postgres

/// One invoice's balance and open disputes over time, as the dated steps of
/// sql/functions/ledger_balance_steps.sql, plus what this posting has taken off it
/// so far. Only sums them: what moves a balance, and when an entry counts, is the
/// SQL's.
struct BalanceSteps {
    /// Sorted by date; one element per step, several may share a date.
    private var steps: [(date: CalendarDate, balance: Int64, disputes: Int)] = []

    init() {}

    mutating func add(on date: CalendarDate, balance: Int64, disputes: Int) {
        let index = steps.firstIndex { $0.date > date } ?? steps.endIndex
        steps.insert((date, balance, disputes), at: index)
    }

    /// The balance at the end of `date` (0 before the invoice is issued) and
    /// whether a dispute is open then, in one pass.
    func state(on date: CalendarDate) -> (balance: Int64, disputed: Bool) {
        var sum: Int64 = 0
        var open = 0
        for step in steps where step.date <= date {
            sum += step.balance
            open += step.disputes
        }
        return (sum, open > 0)
    }

    /// The balance once every step is counted: never less than any room it has.
    var finalBalance: Int64 { steps.reduce(0) { $0 + $1.balance } }

    /// What an entry dated `date` can still take off: the least of the balance at
    /// `date` and the balances after each later step, never below zero. (A later
    /// application or write-off already recorded leaves less room than the balance
    /// at `date` suggests.)
    func available(on date: CalendarDate) -> Int64 {
        var running: Int64 = 0
        var least = Int64.max
        var index = 0
        while index < steps.count, steps[index].date <= date {
            running += steps[index].balance
            index += 1
        }
        least = running
        while index < steps.count {
            let day = steps[index].date
            while index < steps.count, steps[index].date == day {
                running += steps[index].balance
                index += 1
            }
            least = min(least, running)
        }
        return max(least, 0)
    }

    /// Records money taken off on `date` (an application this posting writes).
    mutating func take(_ minor: Int64, on date: CalendarDate) {
        add(on: date, balance: -minor, disputes: 0)
    }

    /// The steps of each of `ids`, read as they stand: the caller has locked the
    /// invoices, so nothing changes them before its transaction ends.
    static func load(_ tenant: UUID, invoices ids: [UUID], in tx: PostgresConnection) async throws -> [UUID: BalanceSteps] {
        guard !ids.isEmpty else { return [:] }
        var result: [UUID: BalanceSteps] = [:]
        for row in try await tx.query("""
            SELECT s.invoice_id, s.on_date, s.balance_delta, s.disputes_delta FROM ledger_balance_steps(\(tenant), \(ids)) s
            """) {
            result[try row.decode(UUID.self, at: 0), default: BalanceSteps()].add(
                on: try row.decode(CalendarDate.self, at: 1), balance: try row.decode(Int64.self, at: 2),
                disputes: try row.decode(Int.self, at: 3))
        }
        return result
    }
}
