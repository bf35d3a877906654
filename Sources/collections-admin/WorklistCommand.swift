import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

struct WorklistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worklist",
        abstract: "The clients to contact on a day, best first, with the reasons behind each score.",
        discussion: """
            Computed live from the ledger and the contact notes (not from stored snapshots), as of
            --as-of or the tenant's today. Do-not-contact, closed and agency clients are never
            listed; how many were left off is printed at the bottom.
            """)

    @OptionGroup var options: TenantOptions
    @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the tenant's today.") var asOf: CalendarDate?
    @Option(help: "Only the clients assigned to this collector.") var collector: String?
    @Option(help: "Only the clients assigned to this team's collectors.") var team: String?
    @Option(help: "At most this many clients (1-1000).") var limit: Int = 50

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1-1000, not \(limit)") }
    }

    func run() async throws {
        try await options.withTenant { db, tenant in
            let report = try await Worklist(database: db, tenant: tenant.id).compute(
                asOf: asOf, collector: collector, team: team, limit: limit)
            let whose = (report.collector.map { ", collector \($0)" } ?? "") + (report.team.map { ", team \($0)" } ?? "")
            let excluded = report.excluded
            try emit(report, format: options.format, table: { worklistTable(report) },
                     before: "\(tenant.name) (\(tenant.slug)): worklist as of \(report.asOf)\(whose)\n"
                         + report.rules.summary.map { "  \($0)\n" }.joined() + "\n",
                     after: """

                         excluded: \(excluded.total) client\(excluded.total == 1 ? "" : "s") not to be chased \
                         (\(excluded.doNotContact) do not contact, \(excluded.agency) with an agency, \(excluded.closed) closed)

                         """,
                     instead: report.entries.isEmpty ? "nobody to contact\n" : nil)
        }
    }
}

/// The worklist, one row per client, reasons last (they are the longest).
func worklistTable(_ report: WorklistReport) -> Table {
    let rows = report.entries.map { entry in
        [String(entry.rank), entry.clientRef, entry.clientName, entry.collector ?? "",
         entry.overdue.map(\.money.formatted).joined(separator: " + "),
         entry.oldestDaysPastDue.map(String.init) ?? "", String(entry.score), entry.nextContact?.text ?? "",
         entry.reasons.map(\.description).joined(separator: "; ")]
    }
    return Table(
        headers: ["rank", "client", "name", "collector", "overdue", "days past due", "score", "next call", "reasons"],
        rows: rows, numeric: [0, 4, 5, 6])
}
