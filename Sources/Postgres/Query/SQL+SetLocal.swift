public import Foundation

extension SQL {
    /// `SET LOCAL <setting> = '<uuid>'`, for the simple protocol.
    ///
    /// A setting cannot be a bound parameter, and `set_config(...)`, which could,
    /// is never propagated by Citus to its worker nodes, while `SET LOCAL` is
    /// (DESIGN.md "Scale-out"). So the value is spliced in as a literal, and only
    /// a `UUID` may be: its text is hex digits and dashes, nothing to escape. The
    /// name is a compile-time string and must be a dotted custom setting name.
    public static func setLocal(_ setting: StaticString, to value: UUID) -> String {
        let name = "\(setting)"
        precondition(Self.isCustomSettingName(name), "not a custom setting name: \(name)")
        return "SET LOCAL \(name) = '\(value.uuidString.lowercased())'"
    }

    /// `prefix.name`, each part a lower-case identifier.
    static func isCustomSettingName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in
            guard let first = part.first, first == "_" || ("a"..."z").contains(first) else { return false }
            return part.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        }
    }
}
