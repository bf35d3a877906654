import CollectionsService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing
import TestSupport

/// The client facts of the contact rules over HTTP: kind and time zone, holds,
/// consents, and an inbound STOP text that revokes consent at once.
@Suite struct ContactRulesTests {
    @Test func kindZoneHoldsAndConsentsAreRecordedAndAStopTextRevokesConsent() async throws {
        let fixture = try await HTTPFixture.make("http_contact_rules")
        try await fixture.test { client in
            let created = try await client.send(.post, "/v1/clients", as: fixture.a, json: """
                {"ref":"B1","name":"Ann Borrower","phone":"+1-808-555-0100","kind":"consumer","time_zone":"Pacific/Honolulu","sms_consent":"yes"}
                """)
            #expect(created.status == .created, "\(created.text)")
            let body = try created.json()
            #expect(body["kind"] as? String == "consumer")
            #expect(body["time_zone"] as? String == "Pacific/Honolulu")
            let id = try #require(body["id"] as? String)

            let badZone = try await client.send(.patch, "/v1/clients/\(id)", as: fixture.a, json: #"{"time_zone":"Mars/Olympus"}"#)
            let problem = try badZone.expectProblem(422)
            #expect((problem["detail"] as? String)?.contains("unknown time zone \"Mars/Olympus\"") == true, "\(problem)")
            let patched = try await client.send(.patch, "/v1/clients/\(id)", as: fixture.a, json: #"{"kind":"commercial"}"#)
            #expect(try patched.json()["kind"] as? String == "commercial")
            #expect(try patched.json()["time_zone"] as? String == "Pacific/Honolulu")

            let hold = try await client.send(.post, "/v1/clients/\(id)/holds", as: fixture.a,
                                             json: #"{"kind":"bankruptcy","starts_on":"2026-02-01","note":"chapter 7"}"#)
            #expect(hold.status == .created, "\(hold.text)")
            let holdID = try #require(try hold.json()["id"] as? String)
            let ended = try await client.send(.post, "/v1/clients/\(id)/holds/\(holdID)/end", as: fixture.a, json: #"{"ends_on":"2026-03-01"}"#)
            #expect(ended.status == .ok, "\(ended.text)")
            #expect(try ended.json()["ends_on"] as? String == "2026-03-01")
            let again = try await client.send(.post, "/v1/clients/\(id)/holds/\(holdID)/end", as: fixture.a, json: #"{"ends_on":"2026-03-02"}"#)
            _ = try again.expectProblem(409)
            let holds = try await client.send(.get, "/v1/clients/\(id)/holds", as: fixture.a)
            #expect((try holds.json()["data"] as? [[String: Any]])?.count == 1)

            // Another client's id with this hold, and B's key with A's client and hold:
            // the 404 of a hold that does not exist.
            let other = try await client.send(.post, "/v1/clients", as: fixture.a, json: #"{"ref":"B2","name":"Bob"}"#)
            let otherID = try #require(try other.json()["id"] as? String)
            let wrongClient = try await client.send(.post, "/v1/clients/\(otherID)/holds/\(holdID)/end", as: fixture.a, json: "{}")
            let noHold = try await client.send(.post, "/v1/clients/\(otherID)/holds/\(UUID().uuidString.lowercased())/end", as: fixture.a, json: "{}")
            #expect(wrongClient.status.code == 404 && wrongClient.text == noHold.text, "\(wrongClient.text)")
            let foreign = try await client.send(.post, "/v1/clients/\(id)/holds/\(holdID)/end", as: fixture.b, json: "{}")
            let missing = try await client.send(.post, "/v1/clients/\(id)/holds/\(UUID().uuidString.lowercased())/end", as: fixture.b, json: "{}")
            #expect(foreign.status.code == 404 && foreign.text == missing.text)

            // Consent recorded at creation; a STOP text revokes it, and the records say so.
            let stop = try await client.send(.post, "/v1/clients/\(id)/notes", as: fixture.a,
                                             json: #"{"channel":"sms","direction":"inbound","body":"STOP"}"#)
            #expect(stop.status == .created, "\(stop.text)")
            let consents = try await client.send(.get, "/v1/clients/\(id)/consents", as: fixture.a)
            let records = try #require(try consents.json()["data"] as? [[String: Any]])
            #expect(records.map { $0["granted"] as? Bool } == [false, true])
            #expect(records.map { $0["source"] as? String } == ["STOP reply", "client record"])
            #expect(records.first?["address"] as? String == "+1-808-555-0100")

            let granted = try await client.send(.post, "/v1/clients/\(id)/consents", as: fixture.a,
                                                json: #"{"channel":"sms","granted":true,"source":"web form","recorded_at":"2026-03-05T10:00:00Z"}"#)
            #expect(granted.status == .created, "\(granted.text)")
            let badChannel = try await client.send(.post, "/v1/clients/\(id)/consents", as: fixture.a,
                                                   json: #"{"channel":"fax","granted":true,"source":"x"}"#)
            #expect(badChannel.status.code == 400 || badChannel.status.code == 422, "\(badChannel.text)")
        }
    }
}
