import CollectionsService
import Foundation
import Postgres

/// A test oracle: the contact rules of DESIGN.md "Dunning and contact rules",
/// written again in Swift, rule by rule and without precedence, over the facts a
/// test wrote (never read back from the database). Foundation's time zones, not
/// PostgreSQL's, give the local days. `ContactGatePropertyTests` checks the gate
/// (sql/functions dunning_plan) against it.
struct ContactRulesOracle {
    struct Client {
        var ref: String
        var kind: ClientKind?
        var zone: String?
        var email: String?
        var phone: String?
        var doNotContact = false
        var status = "active"
    }

    struct Invoice {
        var number: String
        var client: Int
        var amountMinor: Int64
        var dueOn: CalendarDate
        var voidedOn: CalendarDate?
        var paidMinor: Int64 = 0
        var writtenOffMinor: Int64 = 0
        var writtenOffOn: CalendarDate?
        /// (opened, resolved)
        var dispute: (CalendarDate, CalendarDate?)?
        var balanceMinor: Int64 { amountMinor - paidMinor - writtenOffMinor }
    }

    struct Hold {
        var client: Int
        var kind: String
        var startsOn: CalendarDate
        var endsOn: CalendarDate?
    }

    struct Permission {
        var client: Int
        var channel: DunningChannel
        var address: String?
        var granted: Bool
        var at: Date
    }

    struct Note {
        var client: Int
        var invoice: Int?
        var at: Date
        var channel: String
        var direction: String
        var outcome: String?
        var body: String?
        var promiseDate: CalendarDate?
    }

    var tenantKind: ClientKind
    var tenantZone: String
    var cap: Int
    var capDays = 7
    var graceDays = 0
    var steps: [DunningStep]
    var clients: [Client] = []
    var invoices: [Invoice] = []
    var holds: [Hold] = []
    var permissions: [Permission] = []
    var notes: [Note] = []
    /// Messages already queued for a client on earlier days (client, day).
    var earlierMessages: [(Int, CalendarDate)] = []

    /// One invoice and channel a step names on the day.
    struct Line: Hashable {
        var invoice: String
        var channel: DunningChannel
    }

    func kind(_ client: Client) -> ClientKind { client.kind ?? tenantKind }
    func zone(_ client: Client) -> String { client.zone ?? tenantZone }

    static func localDay(_ instant: Date, _ zone: String) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// The instant a local day starts in a zone.
    static func start(of day: CalendarDate, _ zone: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }

    /// Every line the policy names on `day`: invoices due offset days before it, of
    /// a client of the step's kind, owing something (or void).
    func named(on day: CalendarDate) -> [(Line, step: Int)] {
        var lines: [(Line, step: Int)] = []
        for (index, step) in steps.enumerated() {
            for invoice in invoices where invoice.dueOn.adding(days: step.offsetDays) == day {
                let client = clients[invoice.client]
                guard step.appliesTo == .both || step.appliesTo.rawValue == kind(client).rawValue else { continue }
                guard invoice.voidedOn.map({ $0 <= day }) == true || invoice.balanceMinor > 0 else { continue }
                lines.append((Line(invoice: invoice.number, channel: step.channel), index))
            }
        }
        return lines
    }

    /// The rules of the line rules that hold for a line (the cap is per message: `capped`).
    func rules(_ line: Line, step: Int, on day: CalendarDate) -> Set<String> {
        let invoiceIndex = invoices.firstIndex { $0.number == line.invoice }!
        let invoice = invoices[invoiceIndex]
        let client = clients[invoice.client]
        let clientIndex = invoice.client
        let stepInfo = steps[step]
        var holding: Set<String> = []
        if let voided = invoice.voidedOn, voided <= day { holding.insert("invoice_void") }
        if client.doNotContact { holding.insert("do_not_contact") }
        switch client.status {
        case "closed": holding.insert("client_closed")
        case "on_hold": holding.insert("client_on_hold")
        case "agency": holding.insert("placed_with_agency")
        default: break
        }
        for hold in holds where hold.client == clientIndex && hold.startsOn <= day && (hold.endsOn.map { $0 > day } ?? true) {
            holding.insert("hold_\(hold.kind)")
        }
        if let (opened, resolved) = invoice.dispute, opened <= day, resolved.map({ $0 > day }) ?? true {
            holding.insert("invoice_disputed")
        }
        if let writtenOn = invoice.writtenOffOn, writtenOn <= day { holding.insert("invoice_written_off") }
        let minimum = stepInfo.minimumBalance.first { $0.currency == "USD" }?.amountMinor ?? 0
        if invoice.balanceMinor < minimum { holding.insert("below_minimum") }
        if stepInfo.offsetDays > 0, notes.contains(where: {
            $0.client == clientIndex && $0.outcome == "promise_to_pay" && Self.localDay($0.at, tenantZone) <= day
                && $0.promiseDate!.adding(days: graceDays) >= day
        }) {
            holding.insert("promise_running")
        }
        let address: String? = switch line.channel {
        case .email: client.email
        case .sms, .call: client.phone
        case .letter: nil
        }
        // The latest record before the end of the day in the client's zone; a STOP
        // reply is a revocation of texts to the client's phone.
        let dayEnds = Self.start(of: day.adding(days: 1), zone(client))
        var records = permissions.filter { $0.client == clientIndex }.map { ($0.channel, $0.address, $0.granted, $0.at) }
        for note in notes where note.client == clientIndex && note.channel == "sms" && note.direction == "inbound"
            && note.body?.trimmingCharacters(in: .whitespaces).uppercased() == "STOP" {
            records.append((.sms, client.phone, false, note.at))
        }
        let latest = records
            .filter { $0.0 == line.channel && ($0.1 == nil || $0.1 == address) && $0.3 < dayEnds }
            .max { $0.3 < $1.3 }
        if line.channel == .sms, address != nil, latest?.2 != true { holding.insert("no_sms_consent") }
        if latest?.2 == false { holding.insert("opted_out") }
        if address == nil, line.channel != .letter { holding.insert("no_address") }
        if kind(client) == .consumer, line.channel == .call {
            let calls = notes.filter {
                $0.client == clientIndex && $0.channel == "call" && ($0.invoice == nil || $0.invoice == invoiceIndex)
                    && Self.localDay($0.at, tenantZone) > day.adding(days: -7) && Self.localDay($0.at, tenantZone) <= day
            }
            let spoke = ["promise_to_pay", "dispute_raised", "payment_arranged", "refused", "other"]
            if calls.contains(where: { spoke.contains($0.outcome ?? "") }) { holding.insert("recent_conversation") }
            if calls.filter({ $0.direction == "outbound" }).count >= 7 { holding.insert("call_attempt_limit") }
        }
        return holding
    }

    /// The messages (client ref, channel) the commercial cap refuses, given the
    /// lines that pass the line rules.
    func capped(passing: [(Line, step: Int)], on day: CalendarDate) -> Set<String> {
        var capped: Set<String> = []
        for (clientIndex, client) in clients.enumerated() where kind(client) == .commercial {
            let mine = passing.filter { line, _ in invoices.first { $0.number == line.invoice }!.client == clientIndex }
            let channels = Dictionary(grouping: mine, by: \.0.channel).map { channel, lines in
                (channel, lines.map(\.step).min()!)
            }.sorted { ($0.1, $0.0.rawValue) < ($1.1, $1.0.rawValue) }
            let earlier = earlierMessages.filter {
                $0.0 == clientIndex && $0.1 > day.adding(days: -capDays) && $0.1 < day
            }.count
            for (rank, (channel, _)) in channels.enumerated() where earlier + rank + 1 > cap {
                capped.insert("\(client.ref) \(channel.rawValue)")
            }
        }
        return capped
    }
}
