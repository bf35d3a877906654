import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// IBM's accounts-receivable sample (../shared/data), converted here into the
/// three import files, imported through the real CLI, aged by the real worker
/// for several days, and compared with ageing and DSO computed in this file
/// straight from the sample's rows.
@Suite struct IBMSampleTests {
    /// One row of the sample: an invoice, settled in full on `settled`.
    struct Row {
        var customer: String
        var number: String
        var amountText: String
        var amountCents: Int
        var issued: CalendarDate
        var due: CalendarDate
        var settled: CalendarDate
    }

    static let sampleURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/ibm-accounts-receivable.csv").standardizedFileURL

    /// The sample's rows; it has no quoted fields, so a split on commas reads it.
    static func sample() throws -> [Row] {
        let text = try String(contentsOf: sampleURL, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines.removeFirst()
        func column(_ name: String) throws -> Int { try #require(header.firstIndex(of: name), "no column \(name)") }
        let (customer, number, issued, due, amount, settled) = (
            try column("customerID"), try column("invoiceNumber"), try column("InvoiceDate"), try column("DueDate"),
            try column("InvoiceAmount"), try column("SettledDate"))
        return try lines.map { fields in
            Row(customer: fields[customer], number: fields[number], amountText: fields[amount],
                amountCents: try cents(fields[amount]), issued: try usDate(fields[issued]), due: try usDate(fields[due]),
                settled: try usDate(fields[settled]))
        }
    }

    /// "55.94" → 5594, "94" → 9400, "61.7" → 6170.
    static func cents(_ text: String) throws -> Int {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = try #require(Int(parts[0]))
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        #expect(fraction.count <= 2, "\(text)")
        return whole * 100 + (Int(fraction.padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0)
    }

    /// "1/2/2013" (month/day/year) → 2013-01-02.
    static func usDate(_ text: String) throws -> CalendarDate {
        let parts = text.split(separator: "/").compactMap { Int($0) }
        try #require(parts.count == 3, "\(text)")
        return try #require(CalendarDate(year: parts[2], month: parts[0], day: parts[1]), "\(text)")
    }

    /// The three import files of the sample, in a folder of their own.
    static func writeImportFiles(_ rows: [Row]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ibm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let customers = Array(Set(rows.map(\.customer))).sorted()
        let clients = ["ref,name,currency"] + customers.map { "\($0),Customer \($0),USD" }
        let invoices = ["client_ref,number,currency,amount,issued_on,due_on"]
            + rows.map { "\($0.customer),\($0.number),USD,\($0.amountText),\($0.issued),\($0.due)" }
        let payments = ["client_ref,reference,currency,amount,received_on,invoice_number"]
            + rows.map { "\($0.customer),PAY-\($0.number),USD,\($0.amountText),\($0.settled),\($0.number)" }
        for (name, lines) in [("clients.csv", clients), ("invoices.csv", invoices), ("payments.csv", payments)] {
            try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return folder
    }

    // MARK: The independent computation

    struct Expected: Equatable {
        var ar = 0
        var current = 0
        /// 1-30, 31-60, 61-90, 91+ days past due.
        var buckets = [0, 0, 0, 0]
        var creditSales = 0
        /// Hundredths, rounded half away from zero; nil when there were no sales.
        var dsoHundredths: Int?
        var bestPossibleDSOHundredths: Int?
    }

    /// Balance at D = the amount when issued <= D < settled, else 0 (settled in
    /// full on the settled date); bucketed by D - due; DSO over the 90 days
    /// ending on D.
    static func expected(_ rows: [Row], asOf day: CalendarDate) -> Expected {
        var result = Expected()
        let periodStart = day.adding(days: -89)
        for row in rows {
            if row.issued >= periodStart && row.issued <= day { result.creditSales += row.amountCents }
            guard row.issued <= day, day < row.settled else { continue }
            result.ar += row.amountCents
            let late = day.days(since: row.due)
            switch late {
            case ...0: result.current += row.amountCents
            case 1...30: result.buckets[0] += row.amountCents
            case 31...60: result.buckets[1] += row.amountCents
            case 61...90: result.buckets[2] += row.amountCents
            default: result.buckets[3] += row.amountCents
            }
        }
        func ratioHundredths(_ numerator: Int) -> Int? {
            guard result.creditSales > 0 else { return nil }
            // numerator / sales x 90, in hundredths, rounded half away from zero.
            let scaled = numerator * 90 * 100
            let quotient = scaled / result.creditSales
            let remainder = scaled % result.creditSales
            return 2 * remainder >= result.creditSales ? quotient + 1 : quotient
        }
        result.dsoHundredths = ratioHundredths(result.ar)
        result.bestPossibleDSOHundredths = ratioHundredths(result.current)
        return result
    }

    // MARK: Through the CLI

    func run(_ tool: String, _ arguments: [String], _ fixture: ServiceFixture) async throws -> CommandResult {
        let result = try await Executable.run(
            tool, arguments, databaseURL: fixture.database.url(as: tool == "collections-worker" ? .worker : .admin))
        try #require(result.status == 0, "\(tool) \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    func json(_ result: CommandResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
    }

    func importFile(_ kind: String, _ file: URL, tenant: Tenant, _ fixture: ServiceFixture) async throws -> [String: Any] {
        try json(try await run("collections-admin", ["import", kind, tenant.slug, file.path, "--format", "json"], fixture))
    }

    @Test func ageingAndDSOOfTheImportedSampleMatchAnIndependentComputationAtSeveralDates() async throws {
        let rows = try Self.sample()
        #expect(rows.count == 2466)
        let folder = try Self.writeImportFiles(rows)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixture = try await ServiceFixture.make("ibmsample")
        let tenant = try await fixture.tenant("ibm")
        let counts = ["clients": 100, "invoices": 2466, "payments": 2466]

        for kind in ["clients", "invoices", "payments"] {
            let file = folder.appendingPathComponent("\(kind).csv")
            let first = try await importFile(kind, file, tenant: tenant, fixture)
            #expect(first["rows_read"] as? Int == counts[kind], "\(kind): \(first)")
            #expect(first["inserted"] as? Int == counts[kind], "\(kind): \(first)")
            #expect(first["rejected"] as? Int == 0, "\(kind): \(first)")
            // The same file again changes nothing.
            let second = try await importFile(kind, file, tenant: tenant, fixture)
            #expect(second["inserted"] as? Int == 0, "\(kind): \(second)")
            #expect(second["unchanged"] as? Int == counts[kind], "\(kind): \(second)")
            #expect(second["rejected"] as? Int == 0, "\(kind): \(second)")
        }

        for day in ["2012-03-31", "2012-09-30", "2013-02-28", "2013-08-31", "2013-12-31"] {
            let asOf = try #require(CalendarDate(day))
            let expected = Self.expected(rows, asOf: asOf)
            _ = try await run("collections-worker", ["run", "--tenant", tenant.slug, "--as-of", day], fixture)

            let ageing = try json(try await run(
                "collections-admin", ["report", "ageing", tenant.slug, "--as-of", day, "--format", "json"], fixture))
            let usd = try #require((ageing["currencies"] as? [[String: Any]])?.first { $0["currency"] as? String == "USD" }, "\(day): \(ageing)")
            #expect(usd["total_minor"] as? Int == expected.ar, "\(day)")
            #expect(usd["current_minor"] as? Int == expected.current, "\(day)")
            let buckets = try #require(usd["buckets"] as? [[String: Any]])
            #expect(buckets.map { $0["label"] as? String } == ["1-30", "31-60", "61-90", "91+"], "\(day)")
            #expect(buckets.map { $0["amount_minor"] as? Int } == expected.buckets, "\(day)")
            #expect(usd["unapplied_credit_minor"] as? Int == 0, "\(day)")

            let kpis = try json(try await run(
                "collections-admin", ["report", "kpis", tenant.slug, "--as-of", day, "--format", "json"], fixture))
            let k = try #require((kpis["currencies"] as? [[String: Any]])?.first { $0["currency"] as? String == "USD" }, "\(day): \(kpis)")
            #expect(k["ar_minor"] as? Int == expected.ar, "\(day)")
            #expect(k["current_minor"] as? Int == expected.current, "\(day)")
            #expect(k["credit_sales_minor"] as? Int == expected.creditSales, "\(day)")
            func hundredths(_ key: String) -> Int? { (k[key] as? Double).map { Int(($0 * 100).rounded()) } }
            #expect(hundredths("dso") == expected.dsoHundredths, "\(day): dso \(k["dso"] ?? "nil")")
            #expect(hundredths("best_possible_dso") == expected.bestPossibleDSOHundredths, "\(day)")
        }
    }
}
