import CollectionsService
public import Foundation
public import Postgres
import Crypto

/// A queued email or text, claimed by a sender (its row locked until the
/// transaction ends), with what its template needs.
public struct OutboxMessage: Sendable, Equatable {
    public var tenant: UUID
    public var client: UUID
    public var channel: String
    public var scheduledOn: CalendarDate
    public var step: String
    public var template: String
    public var address: String?
    public var attempts: Int
    public var optOutToken: String
    public var clientRef: String
    public var clientName: String
    public var lender: String
    public var emailFrom: String?

    static let columns = """
        m.client_id, m.channel, m.scheduled_on, m.step, m.template, m.address, m.attempts, m.opt_out_token,
        c.ref AS client_ref, c.name AS client_name, t.name AS lender, t.email_from
        """

    init(tenant: UUID, row: PostgresRow) throws {
        self.tenant = tenant
        client = try row["client_id"]
        channel = try row["channel"]
        scheduledOn = try row["scheduled_on"]
        step = try row["step"]
        template = try row["template"]
        address = try row["address"]
        attempts = Int(try row["attempts", as: Int32.self])
        optOutToken = try row["opt_out_token"]
        clientRef = try row["client_ref"]
        clientName = try row["client_name"]
        lender = try row["lender"]
        emailFrom = try row["email_from"]
    }

    /// The outbox key (tenant, client, channel, day, step) as one token: the SMS
    /// provider's idempotency key and the left of the email's `Message-ID`. The
    /// step's name is hashed (it may hold spaces); the rest is as stored.
    public var key: String {
        let step = SHA256.hash(data: Data(step.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        return "dunning.\(scheduledOn).\(channel).\(client.uuidString.lowercased()).\(step).\(tenant.uuidString.lowercased())"
    }

    /// `key@domain`, the domain being the sender's.
    public func messageID(from address: String) -> String {
        "\(key)@\(address.split(separator: "@").last.map(String.init) ?? "collections.invalid")"
    }
}
