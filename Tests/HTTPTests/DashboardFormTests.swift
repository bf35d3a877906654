import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// The client page's forms go through the API's service calls: a logged
/// promise appears in the notes and on the worklist; a call, a satisfaction
/// score and a dispute are written; a form without its CSRF token is refused
/// (403) and bad input is refused in words (422), each with nothing written.
@Suite struct DashboardFormTests {
    static func written(_ fixture: HTTPFixture) async throws -> Int {
        try await DashboardIsolationTests.notes(fixture, fixture.a)
    }

    @Test func aLoggedPromiseAppearsInTheNotesAndTheWorklistAndAFormWithoutItsTokenIsRefused() async throws {
        let fixture = try await HTTPFixture.make("http_dashboard_forms")
        let seeded = try await IsolationTests.seed(fixture, fixture.a, prefix: "A")
        let path = "/dashboard/clients/\(seeded.client.uuidString.lowercased())"
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        let by = formatter.string(from: Date().addingTimeInterval(5 * 86_400))
        try await fixture.test { client in
            let browser = DashboardBrowser(client)
            try await browser.signIn(fixture.a.key)
            let page = try await browser.get(path)
            let csrf = try #require(DashboardBrowser.csrfToken(in: page.text))
            #expect(!page.text.contains("promised 25.00 USD"))
            let promise = [("kind", "promise"), ("promise_amount", "25.00"), ("promise_date", by), ("body", "will pay <b>Friday</b>")]

            // No token, a wrong token, another session's token: 403, nothing written.
            let before = try await Self.written(fixture)
            let missing = try await browser.request(.post, "\(path)/notes", form: promise)
            #expect(missing.status == .forbidden)
            let wrong = try await browser.request(.post, "\(path)/notes", form: [("csrf_token", String(repeating: "a", count: 64))] + promise)
            #expect(wrong.status == .forbidden)
            let second = DashboardBrowser(client)
            try await second.signIn(fixture.a.key)
            let theirs = try #require(DashboardBrowser.csrfToken(in: (try await second.get(path)).text))
            #expect(theirs != csrf)
            #expect((try await browser.request(.post, "\(path)/notes", form: [("csrf_token", theirs)] + promise)).status == .forbidden)
            #expect((try await browser.request(.post, "\(path)/disputes", form: [("reason", "x")])).status == .forbidden)
            // Bad input: the page with the refusal in words, nothing written.
            let bad = try await browser.request(
                .post, "\(path)/notes", form: [("csrf_token", csrf), ("kind", "promise"), ("promise_amount", "12.345"), ("promise_date", by)])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("more decimals than USD allows"), "\(bad.text)")
            let past = try await browser.request(
                .post, "\(path)/notes", form: [("csrf_token", csrf), ("kind", "promise"), ("promise_amount", "1.00"), ("promise_date", "2020-01-01")])
            #expect(past.status == .unprocessableContent)
            #expect(try await Self.written(fixture) == before)

            // The promise: redirected to the page, in the notes (escaped), and on the worklist.
            let logged = try await browser.request(.post, "\(path)/notes", form: [("csrf_token", csrf)] + promise)
            #expect(logged.status == .seeOther, "\(logged.text)")
            #expect(logged.headers[.location] == "\(path)?done=promise")
            let after = try await browser.get(logged.headers[.location]!)
            #expect(after.text.contains("The promise to pay was logged."))
            #expect(after.text.contains("<span class=\"promise\">promised 25.00 USD by \(by)</span>"), "\(after.text)")
            #expect(after.text.contains("will pay &lt;b&gt;Friday&lt;/b&gt;"))
            let worklist = try await browser.get("/dashboard/worklist")
            #expect(worklist.text.contains("<td class=\"promises\">25.00 USD by \(by)</td>"), "\(worklist.text)")
            #expect(worklist.text.contains("promise of 25.00 USD due \(by)"))
            let notes = try await ContactNotes(database: fixture.service.service, tenant: fixture.a.tenant.id).list(clientRef: "A-C1")
            #expect(notes.items.first?.promise?.amount == Money(amountMinor: 25_00, currency: "USD"))

            // A call, a satisfaction score and a dispute.
            for (form, done) in [
                ([("kind", "call"), ("outcome", "left_message"), ("body", "voicemail"), ("author", "ann")], "call"),
                ([("kind", "satisfaction"), ("satisfaction", "2")], "satisfaction"),
            ] {
                let response = try await browser.request(.post, "\(path)/notes", form: [("csrf_token", csrf)] + form)
                #expect(response.headers[.location] == "\(path)?done=\(done)", "\(response.text)")
            }
            let dispute = try await browser.request(.post, "\(path)/disputes", form: [
                ("csrf_token", csrf), ("invoice_number", "A-INV-2"), ("reason_code", "pricing"), ("reason", "wrong price"),
                ("amount", "20.00"), ("date", "2024-02-01"),
            ])
            #expect(dispute.headers[.location] == "\(path)?done=dispute", "\(dispute.text)")
            let final = try await browser.get(path)
            #expect(final.text.contains("left_message · ann"))
            #expect(final.text.contains("satisfaction 2/5"))
            #expect(final.text.contains("pricing: wrong price"))
            let disputes = try await Invoices(database: fixture.service.service, tenant: fixture.a.tenant.id).disputes("A-INV-2")
            #expect(disputes.map(\.amount) == [Money(amountMinor: 20_00, currency: "USD")])
        }
    }

    /// The dispute form lists only the invoices `Invoices.dispute` would accept
    /// today: not a paid one, not one already disputed, not a voided one.
    @Test func theDisputeFormOffersOnlyTheInvoicesThatCanBeDisputed() async throws {
        let fixture = try await HTTPFixture.make("http_dashboard_dispute_form")
        let db = fixture.service.service
        let tenant = fixture.a.tenant.id
        let seeded = try await IsolationTests.seed(fixture, fixture.a, prefix: "A")
        _ = try await Payments(database: db, tenant: tenant).post(
            PaymentRequest(clientRef: "A-C1", reference: "A-PAY-2", amount: Money(amountMinor: 50_00, currency: "USD"),
                           receivedOn: CalendarDate("2024-01-20")!,
                           allocation: .explicit([InvoiceAmount(invoiceNumber: "A-INV-2", amount: Money(amountMinor: 50_00, currency: "USD"))])),
            idempotencyKey: "A-PAY-2", actor: "test")
        for (number, minor) in [("A-INV-3", 30_00), ("A-INV-4", 40_00), ("A-INV-5", 60_00)] {
            _ = try await Invoices(database: db, tenant: tenant).create(
                NewInvoice(clientRef: "A-C1", number: number, amount: Money(amountMinor: Int64(minor), currency: "USD"),
                           issuedOn: CalendarDate("2024-01-01")!, dueOn: CalendarDate("2024-01-31")!), actor: "test")
        }
        _ = try await Invoices(database: db, tenant: tenant).dispute(
            "A-INV-3", on: CalendarDate("2024-02-01")!, reason: "price", actor: "test")
        _ = try await Invoices(database: db, tenant: tenant).void(
            "A-INV-4", on: CalendarDate("2024-02-01")!, reason: "issued twice", actor: "test")
        let path = "/dashboard/clients/\(seeded.client.uuidString.lowercased())"
        try await fixture.test { client in
            let browser = DashboardBrowser(client)
            try await browser.signIn(fixture.a.key)
            let page = try await browser.get(path)
            #expect(page.status == .ok, "\(page.text)")
            let select = try #require(page.text.range(of: "<select id=\"dispute-invoice\"")
                .flatMap { start in page.text[start.lowerBound...].range(of: "</select>").map { page.text[start.lowerBound..<$0.upperBound] } })
            #expect(select.contains("<option>A-INV-1</option>") && select.contains("<option>A-INV-5</option>"), "\(select)")
            for number in ["A-INV-2", "A-INV-3", "A-INV-4"] {
                #expect(!select.contains(number), "\(number) is offered: \(select)")
            }
            // The invoices are all still listed above the form.
            #expect(page.text.contains("A-INV-2") && page.text.contains("A-INV-4"))
        }
    }
}
