import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

/// Who the audit log names for changes made from this CLI.
func adminActor() -> String {
    "admin:\(ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown")"
}

/// An id as typed on the command line: a malformed one is as missing as an
/// unknown one (`no <what> <text>`), the answer every lookup by id gives.
func typedID(_ text: String, _ what: String) throws -> UUID {
    guard let id = UUID(uuidString: text) else { throw ServiceError(.notFound, "no \(what) \(text)") }
    return id
}
