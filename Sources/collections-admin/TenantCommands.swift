import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Provision and manage tenants (lenders).",
        subcommands: [Create.self, List.self, Show.self, Configure.self, DunningCommand.self, TemplatesCommand.self, Suspend.self, Resume.self, Export.self, Delete.self]
    )

    static func table(_ tenants: [Tenant]) -> Table {
        Table(
            headers: ["slug", "name", "currency", "time_zone", "status", "buckets", "dso_days", "cei_days", "grace",
                      "reminder_days", "id"],
            rows: tenants.map {
                [$0.slug, $0.name, $0.defaultCurrency ?? "", $0.timeZone, $0.status.rawValue,
                 $0.ageingBucketLimits.map(String.init).joined(separator: ","), String($0.dsoPeriodDays),
                 String($0.ceiPeriodDays), String($0.promiseGraceDays),
                 $0.reminderOffsets.map(String.init).joined(separator: ","), $0.id.uuidString.lowercased()]
            },
            numeric: [6, 7, 8])
    }

    static func print(_ tenants: [Tenant], format: OutputFormat) throws {
        try emit(tenants, format: format, table: { table(tenants) })
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Short unique name: 2-63 lowercase letters, digits and '-'.") var slug: String
        @Option(help: "The lender's display name.") var name: String
        @Option(help: "Default ISO 4217 currency.") var currency: String = "USD"
        @Option(help: "IANA time zone that defines the tenant's 'today' (e.g. America/Chicago).") var timezone: String = "UTC"

        func validate() throws {
            do { try TenantRegistry.validate(slug: slug) } catch { throw ValidationError("\(error)") }
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
            if currency.count != 3 || !currency.allSatisfy({ $0.isUppercase && $0.isASCII }) {
                throw ValidationError("--currency must be an ISO 4217 code such as USD, got \"\(currency)\"")
            }
        }

        func run() async throws {
            try await reportingFailures(database) { db in
                let tenant = try await TenantRegistry(database: db).create(
                    slug: slug, name: name, currency: currency, timeZone: timezone, actor: adminActor())
                try TenantCommand.print([tenant], format: output.format)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants (or, with --deleted, the record of deleted ones).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Flag(help: "List deleted tenants: when, by whom, and the rows each delete removed.") var deleted = false

        func run() async throws {
            try await reportingFailures(database) { db in
                let registry = TenantRegistry(database: db)
                guard deleted else { return try TenantCommand.print(try await registry.list(), format: output.format) }
                let deletions = try await registry.deletions()
                try emit(deletions, format: output.format, table: {
                    Table(
                        headers: ["slug", "name", "deleted_at", "actor", "rows_deleted", "id"],
                        rows: deletions.map {
                            [$0.slug, $0.name, isoTimestamp($0.deletedAt), $0.actor,
                             String($0.rowsDeleted.values.reduce(0, +)), $0.tenant.uuidString.lowercased()]
                        }, numeric: [4])
                })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one tenant and its settings.")
        @OptionGroup var options: TenantOptions

        func run() async throws {
            try await options.withTenant { _, tenant in try TenantCommand.print([tenant], format: options.format) }
        }
    }

    struct Configure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a tenant's collection settings; what is not given stays as it is.",
            discussion: """
                Ageing buckets and reminder days are comma-separated whole days: --buckets 30,60,90
                gives 1-30, 31-60, 61-90 and 91+ days past due; --reminder-days=-3,1,7 reminds 3 days
                before the due date and 1 and 7 days after (--reminder-days none: no reminders);
                new reminder days store a new dunning policy of one email step per day (`tenant
                dunning SLUG set` takes any policy). --client-kind is the kind of a client that has
                none (consumer debts follow Regulation F's rules); a commercial client gets at most
                --commercial-cap messages in --commercial-cap-days days.
                The worker uses the new settings from its next day on; days already stored keep the
                settings they were computed with.
                """)
        @OptionGroup var options: TenantOptions
        @Option(help: "Upper limits of the past-due ageing buckets, in days (e.g. 30,60,90).") var buckets: String?
        @Option(name: .customLong("dso-days"), help: "The DSO period, in days (1-730).") var dsoDays: Int?
        @Option(name: .customLong("cei-days"), help: "The CEI period, in days (1-365).") var ceiDays: Int?
        @Option(name: .customLong("grace-days"), help: "Days after a promise's date before it counts as broken (0-60).")
        var graceDays: Int?
        @Option(name: .customLong("reminder-days"), help: "Days from the due date to send reminders on (e.g. -3,1,7,14,30), or none.")
        var reminderDays: String?
        @Option(name: .customLong("client-kind"), help: "consumer or commercial: the kind of a client that has none.")
        var clientKind: ClientKind?
        @Option(name: .customLong("commercial-cap"), help: "At most this many dunning messages to a commercial client (1-50) ...")
        var commercialCap: Int?
        @Option(name: .customLong("commercial-cap-days"), help: "... in this many days (1-31).")
        var commercialCapDays: Int?
        @Option(name: .customLong("email-from"), help: "The address the tenant's emails come from.")
        var emailFrom: String?

        static func days(_ text: String, _ option: String) throws -> [Int] {
            if text == "none" { return [] }
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            let days = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard days.count == parts.count else {
                throw ValidationError("\(option) takes whole days separated by commas (e.g. 30,60,90), not \"\(text)\"")
            }
            return days
        }

        func validate() throws {
            if let buckets { _ = try Self.days(buckets, "--buckets") }
            if let reminderDays { _ = try Self.days(reminderDays, "--reminder-days") }
            if buckets == nil, dsoDays == nil, ceiDays == nil, graceDays == nil, reminderDays == nil, clientKind == nil,
               commercialCap == nil, commercialCapDays == nil, emailFrom == nil {
                throw ValidationError(
                    "nothing to change: give at least one of --buckets, --dso-days, --cei-days, --grace-days, --reminder-days, --client-kind, --commercial-cap, --commercial-cap-days, --email-from")
            }
        }

        func run() async throws {
            try await options.withDatabase { db in
                let tenant = try await TenantRegistry(database: db).configure(
                    options.slug, ageingBucketLimits: try buckets.map { try Self.days($0, "--buckets") }, dsoPeriodDays: dsoDays,
                    ceiPeriodDays: ceiDays, promiseGraceDays: graceDays,
                    reminderOffsets: try reminderDays.map { try Self.days($0, "--reminder-days") }, clientKind: clientKind,
                    commercialCapMessages: commercialCap, commercialCapDays: commercialCapDays, emailFrom: emailFrom,
                    actor: adminActor())
                try TenantCommand.print([tenant], format: options.format)
            }
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend a tenant: it can read and write nothing until resumed.")
        @OptionGroup var options: TenantOptions

        func run() async throws {
            try await options.withDatabase { db in
                try TenantCommand.print([try await TenantRegistry(database: db).suspend(options.slug, actor: adminActor())], format: options.format)
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a suspended tenant.")
        @OptionGroup var options: TenantOptions

        func run() async throws {
            try await options.withDatabase { db in
                try TenantCommand.print([try await TenantRegistry(database: db).resume(options.slug, actor: adminActor())], format: options.format)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a tenant and every row it owns, in one transaction; prints the counts.")
        @OptionGroup var options: TenantOptions
        @Option(help: "The same slug again, to confirm.") var confirm: String?

        func validate() throws {
            guard let confirm else { throw ValidationError("deleting \(options.slug) needs --confirm \(options.slug)") }
            guard confirm == options.slug else {
                throw ValidationError("--confirm \"\(confirm)\" does not match the slug \"\(options.slug)\"; nothing was deleted")
            }
        }

        func run() async throws {
            try await options.withDatabase { db in
                let counts = try await TenantRegistry(database: db).delete(options.slug, actor: adminActor())
                struct Deleted: Encodable { var tenant: String; var deleted: [String: Int] }
                let deleted = Deleted(tenant: options.slug, deleted: Dictionary(counts.map { ($0.table, $0.rows) }, uniquingKeysWith: +))
                try emit(deleted, format: options.format, table: {
                    Table(headers: ["table", "rows_deleted"], rows: counts.map { [$0.table, String($0.rows)] }, numeric: [1])
                })
            }
        }
    }
}
