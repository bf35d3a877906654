public import Foundation

/// A version of a tenant's dunning policy: its ordered steps. A version never
/// changes once stored; setting a policy stores the next one, and every message
/// records the version that queued it (sql/0014).
public struct DunningPolicy: Sendable, Codable, Equatable {
    public var version: Int
    public var createdAt: Date
    public var createdBy: String
    public var steps: [DunningStep]
}

extension DunningPolicy {
    /// The rules a policy's steps keep, in words; sql/0014's checks say the same to
    /// anything that writes around this.
    public static func validate(_ steps: [DunningStep]) throws {
        guard steps.count <= 50 else { throw ServiceError.invalid("a policy has at most 50 steps, not \(steps.count)") }
        var names: Set<String> = []
        var days: [String: Int] = [:]
        for (index, step) in steps.enumerated() {
            let at = "steps[\(index + 1)]"
            let name = step.name.trimmingCharacters(in: .whitespaces)
            guard (1...64).contains(name.unicodeScalars.count), name == step.name,
                  !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ServiceError.invalid("\(at).name: must be 1-64 characters without surrounding blanks, not \"\(step.name)\"")
            }
            guard names.insert(name).inserted else { throw ServiceError.invalid("\(at).name: \"\(name)\" names two steps") }
            guard (-60...365).contains(step.offsetDays) else {
                throw ServiceError.invalid("\(at).offset_days: must be -60 to 365 days from the due date, not \(step.offsetDays)")
            }
            let key = "\(step.reminds.rawValue)/\(step.offsetDays)/\(step.channel.rawValue)"
            if let other = days[key] {
                throw ServiceError.invalid(
                    "\(at): steps[\(other + 1)] already sends \(step.channel.rawValue) on day \(step.offsetDays)"
                        + (step.reminds == .instalments ? " of an instalment" : ""))
            }
            if step.reminds == .instalments {
                guard step.channel == .email || step.channel == .sms else {
                    throw ServiceError.invalid("\(at).channel: a step that reminds of instalments sends email or sms, not \(step.channel.rawValue)")
                }
                guard step.minimumBalance.isEmpty else {
                    throw ServiceError.invalid("\(at).minimum_balance: a step that reminds of instalments has no minimum (every unpaid instalment is reminded of)")
                }
            }
            days[key] = index
            guard (1...64).contains(step.template.utf8.count),
                  step.template.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 }) else {
                throw ServiceError.invalid("\(at).template: must be 1-64 of a-z, 0-9, _ and -, not \"\(step.template)\"")
            }
            var currencies: Set<String> = []
            for minimum in step.minimumBalance {
                guard minimum.amountMinor >= 0 else {
                    throw ServiceError.invalid("\(at).minimum_balance.\(minimum.currency): must not be negative")
                }
                guard currencies.insert(minimum.currency).inserted else {
                    throw ServiceError.invalid("\(at).minimum_balance: \(minimum.currency) is given twice")
                }
            }
        }
    }
}
