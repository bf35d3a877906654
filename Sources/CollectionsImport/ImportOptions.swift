import CollectionsService
import Foundation
import Postgres

/// How an import runs.
public struct ImportOptions: Sendable {
    /// Check every row and report, then roll back: nothing is written to the
    /// database (the rejects file, when asked for, is still written).
    public var dryRun: Bool
    /// Where to write the bad rows (the file's columns plus `line,reason`). With
    /// it the good rows are imported; without it one bad row refuses the file.
    public var rejectsPath: String?
    /// Who the audit log names.
    public var actor: String
    /// How many payments are posted as one set (a client's are never split):
    /// memory and lock counts stay bounded whatever the file's size. Tests make it
    /// small to post a file in many sets.
    package var paymentsPerSet = 10_000

    public init(dryRun: Bool = false, rejectsPath: String? = nil, actor: String) {
        self.dryRun = dryRun
        self.rejectsPath = rejectsPath
        self.actor = actor
    }
}
