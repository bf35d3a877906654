import Foundation

/// One step of a dunning policy: on `offsetDays` from an invoice's due date
/// (negative: before it), a message by `channel` with `template`, to the clients
/// of `appliesTo`, about invoices owing at least the step's minimum in their
/// currency (none given: any balance). A step that `reminds` of instalments counts
/// its days from the date of an unpaid instalment of a current payment plan
/// instead: the plan's own reminders, since its invoices get no dunning while it
/// is current (sql/0024).
public struct DunningStep: Sendable, Codable, Equatable {
    public enum Scope: String, Sendable, Codable, CaseIterable { case consumer, commercial, both }
    public enum Subject: String, Sendable, Codable, CaseIterable { case invoices, instalments }

    public var name: String
    public var offsetDays: Int
    public var channel: DunningChannel
    public var template: String
    public var appliesTo: Scope
    /// At most one amount per currency; none for a step that reminds of instalments.
    public var minimumBalance: [Money]
    public var reminds: Subject

    public init(
        name: String, offsetDays: Int, channel: DunningChannel, template: String, appliesTo: Scope = .both,
        minimumBalance: [Money] = [], reminds: Subject = .invoices
    ) {
        self.name = name
        self.offsetDays = offsetDays
        self.channel = channel
        self.template = template
        self.appliesTo = appliesTo
        self.minimumBalance = minimumBalance
        self.reminds = reminds
    }

    /// "3 days before due", "due today", "1 day past due", "7 days past due": the
    /// names sql/0014 gave the steps it made of `reminder_offsets`.
    public static func name(offsetDays: Int) -> String {
        switch offsetDays {
        case ..<(-1): "\(-offsetDays) days before due"
        case -1: "1 day before due"
        case 0: "due today"
        case 1: "1 day past due"
        default: "\(offsetDays) days past due"
        }
    }

    /// The template sql/0014 gave a step made of a reminder offset.
    public static func template(offsetDays: Int) -> String {
        offsetDays < 0 ? "reminder_before_due" : offsetDays == 0 ? "reminder_due" : "reminder_overdue"
    }

    /// The policy of the old `reminder_offsets`: one email step per offset, in
    /// offset order, for every client, without minimum.
    public static func reminders(offsets: [Int]) -> [DunningStep] {
        offsets.sorted().map {
            DunningStep(name: name(offsetDays: $0), offsetDays: $0, channel: .email, template: template(offsetDays: $0))
        }
    }
}
