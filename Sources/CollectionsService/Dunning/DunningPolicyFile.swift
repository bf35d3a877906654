public import Foundation

/// The JSON file `tenant dunning SLUG set` takes and `show --format json` prints:
///
///     {"steps": [{"name": "first overdue", "offset_days": 1, "channel": "email",
///                 "template": "reminder_overdue", "applies_to": "both",
///                 "minimum_balance": {"USD": "10.00"}},
///                {"name": "instalment in 3 days", "offset_days": -3, "channel": "email",
///                 "template": "plan_instalment_due", "reminds": "instalments"}]}
///
/// `applies_to` (default both), `minimum_balance` (amounts in major units, as
/// decimal strings) and `reminds` (invoices, the default, or instalments: days
/// from the date of a current plan's unpaid instalment) may be left out; other fields of `show`'s output (version,
/// created_at, ...) are ignored, so what `show` prints can be set again. Every
/// refusal names where it is: `steps[2].channel: "fax" is not one of ...`.
public enum DunningPolicyFile {
    /// What `show` prints: the file `set` takes, with the version's facts.
    public struct Document: Encodable, Sendable {
        public struct Step: Encodable, Sendable {
            var name: String
            var offsetDays: Int
            var channel: DunningChannel
            var template: String
            var appliesTo: DunningStep.Scope
            var minimumBalance: [String: String]
            var reminds: DunningStep.Subject
        }

        var tenant: String
        var version: Int
        var createdAt: Date
        var createdBy: String
        public var steps: [Step]

        public init(_ policy: DunningPolicy, tenant: String) {
            self.tenant = tenant
            version = policy.version
            createdAt = policy.createdAt
            createdBy = policy.createdBy
            steps = policy.steps.map {
                Step(name: $0.name, offsetDays: $0.offsetDays, channel: $0.channel, template: $0.template,
                     appliesTo: $0.appliesTo,
                     minimumBalance: Dictionary(uniqueKeysWithValues: $0.minimumBalance.map { ($0.currency, $0.plain) }),
                     reminds: $0.reminds)
            }
        }
    }


    public static func steps(from data: Data) throws -> [DunningStep] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ServiceError.invalid("the policy is not JSON: \(Self.reason(error))")
        }
        guard let object = root as? [String: Any] else { throw ServiceError.invalid("the policy must be a JSON object with \"steps\"") }
        guard let list = object["steps"] else { throw ServiceError.invalid("the policy has no \"steps\" (an empty list stops dunning)") }
        guard let items = list as? [Any] else { throw ServiceError.invalid("steps: must be a list") }
        let steps = try items.enumerated().map { index, item in
            let at = "steps[\(index + 1)]"
            guard let step = item as? [String: Any] else { throw ServiceError.invalid("\(at): must be an object") }
            func text(_ key: String) throws -> String {
                guard let value = step[key] else { throw ServiceError.invalid("\(at).\(key): is required") }
                guard let string = value as? String else { throw ServiceError.invalid("\(at).\(key): must be a string") }
                return string
            }
            func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type, default fallback: T? = nil) throws -> T
            where T.RawValue == String {
                if step[key] == nil, let fallback { return fallback }
                let raw = try text(key)
                guard let value = T(rawValue: raw) else {
                    let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ServiceError.invalid("\(at).\(key): \"\(raw)\" is not one of \(allowed)")
                }
                return value
            }
            guard let number = step["offset_days"] else { throw ServiceError.invalid("\(at).offset_days: is required") }
            guard let offset = number as? Int else {
                throw ServiceError.invalid("\(at).offset_days: must be a whole number of days")
            }
            var minimums: [Money] = []
            if let value = step["minimum_balance"] {
                guard let amounts = value as? [String: Any] else {
                    throw ServiceError.invalid("\(at).minimum_balance: must be an object of currency to amount, as {\"USD\": \"10.00\"}")
                }
                for (code, amount) in amounts.sorted(by: { $0.key < $1.key }) {
                    guard let amount = amount as? String else {
                        throw ServiceError.invalid("\(at).minimum_balance.\(code): must be a decimal string, as \"10.00\"")
                    }
                    do {
                        minimums.append(try Money(parsing: amount, currency: try Currency.validate(code), sign: .nonNegative))
                    } catch let error as ServiceError {
                        throw ServiceError.invalid("\(at).minimum_balance.\(code): \(error.message)")
                    }
                }
            }
            return DunningStep(
                name: try text("name"), offsetDays: offset, channel: try choice("channel", DunningChannel.self),
                template: try text("template"), appliesTo: try choice("applies_to", DunningStep.Scope.self, default: .both),
                minimumBalance: minimums, reminds: try choice("reminds", DunningStep.Subject.self, default: .invoices))
        }
        try DunningPolicy.validate(steps)
        return steps
    }

    private static func reason(_ error: any Error) -> String {
        let description = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        return description ?? "it does not parse"
    }
}
