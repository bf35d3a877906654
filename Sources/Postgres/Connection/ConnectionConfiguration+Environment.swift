import Foundation

extension ConnectionConfiguration {
    /// The variable an operator sets to `off` behind a pooler that cannot keep
    /// protocol-level prepared statements: pgbouncer before 1.21 in transaction
    /// mode, where a statement prepared on one server connection is missing on
    /// the next (Debian 12's pgbouncer is 1.18). A whole number sets the
    /// threshold instead (`prepareThreshold`).
    public static let prepareThresholdVariable = "DATABASE_PREPARE_THRESHOLD"

    /// This configuration with the process's `DATABASE_PREPARE_THRESHOLD`, if set.
    public func applyingEnvironment() throws -> ConnectionConfiguration {
        try applyingEnvironment(ProcessInfo.processInfo.environment)
    }

    /// The same with `environment`'s.
    public func applyingEnvironment(_ environment: [String: String]) throws -> ConnectionConfiguration {
        guard let text = environment[Self.prepareThresholdVariable], !text.isEmpty else { return self }
        var copy = self
        if text == "off" {
            copy.prepareThreshold = nil
        } else if let threshold = Int(text), threshold >= 1 {
            copy.prepareThreshold = threshold
        } else {
            throw PostgresError(
                kind: .invalidConnectionString,
                message: "\(Self.prepareThresholdVariable) must be off or a whole number of at least 1, not \"\(text)\"")
        }
        return copy
    }
}
