import CSV
import CollectionsService
public import Foundation
public import Postgres

/// IBM's public accounts-receivable sample (Watson Analytics "Accounts Receivable",
/// 2,466 invoices of 100 customers, 2012-2013), turned into the import files.
///
/// Its columns: countryCode, customerID, PaperlessDate, invoiceNumber, InvoiceDate,
/// DueDate, InvoiceAmount, Disputed, SettledDate, PaperlessBill, DaysToSettle,
/// DaysLate; dates are month/day/year, amounts dollars, and every invoice was
/// settled in full on SettledDate.
public struct IBMSample: Sendable {
    public struct Invoice: Sendable {
        public var customer: String
        public var country: String
        public var number: String
        public var amount: String
        public var issued: CalendarDate
        public var due: CalendarDate
        public var settled: CalendarDate
        public var disputed: Bool
    }

    public let invoices: [Invoice]

    /// The last day of the book: its latest invoice. (By its latest settlement
    /// everything is paid; on the day of the last invoice the ledger is alive.)
    public var lastDay: CalendarDate { invoices.map(\.issued).max() ?? CalendarDate(year: 2013, month: 12, day: 31)! }

    /// Reads the sample with the importer's CSV reader (RFC 4180: quoted fields,
    /// CRLF), not by splitting lines on commas.
    public init(path: String) throws {
        var reader: CSVReader
        do { reader = try CSVReader(path: path) } catch {
            throw ServiceError(.notFound, "cannot read the IBM sample at \(path): \(error)")
        }
        var record = CSVRecord()
        var lines: [[String]] = []
        while try reader.next(into: &record) {
            if let problem = record.malformed.first {
                throw ServiceError(.invalid, "\(path):\(record.line): \(problem.message)")
            }
            lines.append((0..<record.ends.count).map { record.text($0) ?? "" })
        }
        guard !lines.isEmpty else { throw ServiceError(.invalid, "\(path) is empty") }
        let header = lines.removeFirst()
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw ServiceError(.invalid, "\(path): no column \(name)") }
            return index
        }
        let country = try column("countryCode"), customer = try column("customerID"), number = try column("invoiceNumber")
        let issued = try column("InvoiceDate"), due = try column("DueDate"), amount = try column("InvoiceAmount")
        let disputed = try column("Disputed"), settled = try column("SettledDate")
        func date(_ text: String, line: Int) throws -> CalendarDate {
            let parts = text.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 3, let value = CalendarDate(year: parts[2], month: parts[0], day: parts[1]) else {
                throw ServiceError(.invalid, "\(path):\(line): \"\(text)\" is not a month/day/year date")
            }
            return value
        }
        invoices = try lines.enumerated().map { index, fields in
            let line = index + 2
            guard fields.count == header.count else { throw ServiceError(.invalid, "\(path):\(line): expected \(header.count) fields") }
            return Invoice(
                customer: fields[customer], country: fields[country], number: fields[number], amount: fields[amount],
                issued: try date(fields[issued], line: line), due: try date(fields[due], line: line),
                settled: try date(fields[settled], line: line), disputed: fields[disputed] == "Yes")
        }
    }

    /// Writes clients.csv, invoices.csv and payments.csv (DESIGN.md's import
    /// formats) into `folder` and returns their paths.
    public func writeImportFiles(to folder: URL) throws -> (clients: String, invoices: String, payments: String) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var countries: [String: String] = [:]
        for invoice in invoices { countries[invoice.customer] = invoice.country }
        let clients = [["ref", "name", "payment_terms_days", "currency"]]
            + countries.keys.sorted().map { [$0, "Customer \($0) (country \(countries[$0]!))", "30", "USD"] }
        let invoiceLines = [["client_ref", "number", "currency", "amount", "issued_on", "due_on"]]
            + invoices.map { [$0.customer, $0.number, "USD", $0.amount, "\($0.issued)", "\($0.due)"] }
        let payments = [["client_ref", "reference", "currency", "amount", "received_on", "invoice_number"]]
            + invoices.map { [$0.customer, "PAY-\($0.number)", "USD", $0.amount, "\($0.settled)", $0.number] }
        var paths: [String] = []
        for (name, records) in [("clients.csv", clients), ("invoices.csv", invoiceLines), ("payments.csv", payments)] {
            let url = folder.appendingPathComponent(name)
            try (records.map(CSVWriter.record).joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        return (paths[0], paths[1], paths[2])
    }
}
