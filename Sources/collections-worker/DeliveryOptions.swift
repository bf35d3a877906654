import ArgumentParser
import CollectionsService
import Delivery
import Foundation
import Logging

/// Where messages go out: SMTP, the SMS provider, and the public address of
/// collections-server for opt-out links and the provider's receipts. Each from its
/// flag, else its environment variable (so passwords need not be on a command line).
struct DeliveryOptions: ParsableArguments {
    @Option(name: .customLong("smtp-url"),
            help: "smtp://user:password@host:587 (STARTTLS when offered; ?starttls=required), or smtps:// (default: $COLLECTIONS_SMTP_URL; none: emails wait).")
    var smtpURL: String?
    @Option(name: .customLong("sms-url"),
            help: "https://ACCOUNT:TOKEN@host/.../Messages.json?from=%2B1555... (default: $COLLECTIONS_SMS_URL; none: texts wait).")
    var smsURL: String?
    @Option(name: .customLong("public-url"),
            help: "collections-server's public address, for opt-out links and SMS receipts (default: $COLLECTIONS_PUBLIC_URL, else http://127.0.0.1:8080).")
    var publicURL: String?
    @Option(name: .customLong("mail-from"), help: "Sending address of tenants without their own (default: $COLLECTIONS_MAIL_FROM, else collections@localhost).")
    var mailFrom: String?
    @Option(help: "Sender tasks, each with its own SMTP connection, working on one tenant's messages at once.") var senders: Int = 2
    @Option(name: .customLong("retry-limit"), help: "Tries before a message that keeps failing is failed.") var retryLimit: Int = 8

    func validate() throws {
        if !(1...64).contains(senders) { throw ValidationError("--senders must be between 1 and 64") }
        if !(1...100).contains(retryLimit) { throw ValidationError("--retry-limit must be between 1 and 100") }
    }

    private func setting(_ flag: String?, _ variable: String) -> String? {
        let value = flag ?? ProcessInfo.processInfo.environment[variable]
        return value?.isEmpty == false ? value : nil
    }

    func configuration() throws -> MessageSender.Configuration {
        let smtp = try setting(smtpURL, "COLLECTIONS_SMTP_URL").map { text in
            do { return try SMTPSettings(url: text) } catch { throw ValidationError("--smtp-url: \(error)") }
        }
        let sms = try setting(smsURL, "COLLECTIONS_SMS_URL").map { text in
            do { return try SMSSettings(url: text) } catch { throw ValidationError("--sms-url: \(error)") }
        }
        let publicText = setting(publicURL, "COLLECTIONS_PUBLIC_URL") ?? "http://127.0.0.1:8080"
        guard let publicURL = URL(string: publicText), publicURL.scheme == "http" || publicURL.scheme == "https",
              publicURL.host != nil
        else { throw ValidationError("--public-url: \(publicText) is not an http(s) URL") }
        let from = setting(mailFrom, "COLLECTIONS_MAIL_FROM") ?? "collections@localhost"
        guard from.split(separator: "@").count == 2 else { throw ValidationError("--mail-from: \(from) is not an address") }
        return MessageSender.Configuration(
            smtp: smtp, sms: sms.map { SMSProvider(settings: $0) }, publicURL: publicURL,
            defaultFrom: from, retries: DeliveryRetries(limit: retryLimit))
    }
}
