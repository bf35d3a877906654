import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

/// Who the audit log names for changes made from this CLI.
func adminActor() -> String {
    "admin:\(ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown")"
}

