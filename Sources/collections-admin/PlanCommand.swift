public import ArgumentParser
import CollectionsCommandLine
public import CollectionsService
import Foundation
import Postgres

extension PlanFrequency: ExpressibleByArgument {}

/// `plan create|list|show|cancel`: payment plans (DESIGN.md "Payment plans and agencies").
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Payment plans: a client's open invoices paid in instalments.",
        discussion: """
            While a plan is current its invoices accrue no late fees and get no dunning. An
            instalment still unpaid the day after its date plus the tenant's grace days defaults
            the plan (and counts as a broken promise); dunning resumes. Payments applied to the
            plan's invoices from the day it was made pay its instalments, oldest first.
            """,
        subcommands: [Create.self, List.self, Show.self, Cancel.self])

    static func print(_ plans: [PaymentPlan], format: OutputFormat) throws {
        try emit(plans, format: format, table: { table(plans) }, instead: plans.isEmpty ? "no payment plans\n" : nil)
    }

    /// The plans as a person reads them (the demo's printout too).
    static func printTable(_ plans: [PaymentPlan]) {
        CollectionsCommandLine.printTable(table(plans), format: .table)
    }

    static func table(_ plans: [PaymentPlan]) -> Table {
        Table(
            headers: ["id", "client", "status", "total", "instalments", "paid", "next due", "invoices"],
            rows: plans.map { plan in
                let paid = plan.instalments.reduce(0) { $0 + $1.paidMinor }
                let next = plan.instalments.first { $0.status == .open }
                return [
                    plan.id.uuidString.lowercased(), plan.clientRef, plan.status.rawValue,
                    Money(amountMinor: Int64(plan.totalMinor), currency: plan.currency).formatted,
                    "\(plan.instalments.count) every \(plan.frequency.rawValue)",
                    Money(amountMinor: Int64(paid), currency: plan.currency).formatted,
                    next.map { "\($0.dueOn) \(Money(amountMinor: Int64($0.amountMinor - $0.paidMinor), currency: plan.currency).formatted)" } ?? "",
                    plan.invoices.joined(separator: ","),
                ]
            })
    }

    /// One plan: JSON is the plan itself (DESIGN.md's `plan create|show` shape).
    static func print(_ plan: PaymentPlan, format: OutputFormat) throws {
        let table = Table(
            headers: ["#", "due", "amount", "paid", "status"],
            rows: plan.instalments.map {
                ["\($0.seq)", $0.dueOn.description,
                 Money(amountMinor: Int64($0.amountMinor), currency: plan.currency).formatted,
                 Money(amountMinor: Int64($0.paidMinor), currency: plan.currency).formatted,
                 $0.missedOn.map { "missed \($0)" } ?? $0.status.rawValue]
            })
        try emit(plan, format: format, table: { table }, before: """
            payment plan \(plan.id.uuidString.lowercased()) of client \(plan.clientRef): \(plan.status.rawValue) on \(plan.asOf)
            \(Money(amountMinor: Int64(plan.totalMinor), currency: plan.currency).formatted) made on \(plan.madeOn), invoices \(plan.invoices.joined(separator: ", "))

            """)
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split a client's open invoices (or those named) into instalments.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The client's ref.") var clientRef: String
        @Option(help: "How many instalments (1-120).") var instalments: Int
        @Option(help: "week, 2weeks or month.") var every: PlanFrequency
        @Option(help: "The first instalment's date (YYYY-MM-DD).") var start: CalendarDate
        @Option(help: "The invoice numbers it covers, comma-separated; default: every open one.") var invoices: String?
        @Option(help: "The day it was agreed (YYYY-MM-DD); default: the tenant's today.") var on: CalendarDate?

        func run() async throws {
            let numbers = invoices.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            try await options.withTenant { db, tenant in
                let plan = try await PaymentPlans(database: db, tenant: tenant).create(
                    .init(clientRef: clientRef, instalments: instalments, every: every, startOn: start,
                          invoiceNumbers: numbers, madeOn: on),
                    actor: adminActor())
                try PlanCommand.print(plan, format: options.format)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tenant's plans as they stand, newest first.")
        @OptionGroup var options: TenantOptions
        @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the tenant's today.") var asOf: CalendarDate?
        @Option(help: "Only this client's plans.") var client: String?

        func run() async throws {
            try await options.withTenant { db, tenant in
                try PlanCommand.print(
                    try await PaymentPlans(database: db, tenant: tenant).list(asOf: asOf, clientRef: client),
                    format: options.format)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One plan and its instalments.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The plan's id.") var planID: String
        @Option(name: .customLong("as-of"), help: "The day (YYYY-MM-DD); default: the tenant's today.") var asOf: CalendarDate?

        func run() async throws {
            try await options.withTenant { db, tenant in
                let plan = try await PaymentPlans(database: db, tenant: tenant).show(try typedID(planID, "payment plan"), asOf: asOf)
                try PlanCommand.print(plan, format: options.format)
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a current plan: its invoices accrue late fees and get dunning again.")
        @OptionGroup var options: TenantOptions
        @Argument(help: "The plan's id.") var planID: String
        @Option(help: "The first day it no longer applies (YYYY-MM-DD); default: the tenant's today.") var on: CalendarDate?
        @Option(help: "Why, in words.") var reason: String?

        func run() async throws {
            try await options.withTenant { db, tenant in
                let plan = try await PaymentPlans(database: db, tenant: tenant).cancel(
                    try typedID(planID, "payment plan"), on: on, reason: reason, actor: adminActor())
                try PlanCommand.print(plan, format: options.format)
            }
        }
    }
}
