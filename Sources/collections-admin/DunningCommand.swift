public import ArgumentParser
import CollectionsCommandLine
public import CollectionsService
import Foundation

extension ClientKind: ExpressibleByArgument {}

/// `tenant dunning SLUG show | set FILE.json`: the tenant's dunning policy.
struct DunningCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dunning",
        abstract: "Show the tenant's dunning policy, or set a new version from a JSON file.",
        discussion: """
            A policy is ordered steps: {"steps": [{"name": "first overdue", "offset_days": 1,
            "channel": "email", "template": "reminder_overdue", "applies_to": "both",
            "minimum_balance": {"USD": "10.00"}}]}. offset_days counts from the due date
            (negative: before it); channel is email, sms, letter or call; applies_to is consumer,
            commercial or both (default); minimum_balance, in major units per currency, is
            optional. `show --format json` prints a file `set` takes. Each `set` stores a new
            version (the same steps again store nothing); the worker's next day uses it, and
            every message records the version that queued it.
            """)

    enum Action: String, ExpressibleByArgument, CaseIterable { case show, set }

    @OptionGroup var options: TenantOptions
    @Argument(help: "show or set.") var action: Action
    @Argument(help: "The policy file (JSON), for set.") var file: String?

    func validate() throws {
        switch action {
        case .show where file != nil: throw ValidationError("show takes no file")
        case .set where file == nil: throw ValidationError("set needs the policy file: tenant dunning SLUG set FILE.json")
        default: break
        }
    }

    func run() async throws {
        try await options.withTenant { db, tenant in
            let policies = DunningPolicies(database: db, tenant: tenant.id)
            var policy = try await policies.current()
            var note = ""
            if action == .set, let file {
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                    throw ServiceError(.invalid, "cannot read \(file): \((error as NSError).localizedDescription)")
                }
                let steps: [DunningStep]
                do { steps = try DunningPolicyFile.steps(from: data) } catch let error as ServiceError {
                    throw ServiceError(.invalid, "\(file): \(error.message)")
                }
                let (stored, changed) = try await policies.set(steps, actor: adminActor())
                policy = stored
                note = changed ? "stored as version \(stored.version)\n" : "unchanged: version \(stored.version) has these steps\n"
            }
            let document = DunningPolicyFile.Document(policy, tenant: tenant.slug)
            let table = Table(
                headers: ["step", "name", "day", "channel", "template", "applies_to", "minimum"],
                rows: policy.steps.enumerated().map { index, step in
                    [String(index + 1), step.name, String(step.offsetDays), step.channel.rawValue, step.template,
                     step.appliesTo.rawValue, step.minimumBalance.map(\.formatted).joined(separator: ", ")]
                },
                numeric: [0, 2])
            try emit(document, format: options.format, table: { table },
                     before: "\(note)\(tenant.name) (\(tenant.slug)): dunning policy version \(policy.version), set by \(policy.createdBy) at \(isoTimestamp(policy.createdAt))\n\n",
                     instead: policy.steps.isEmpty ? "no steps: the worker queues no dunning\n" : nil)
        }
    }
}
