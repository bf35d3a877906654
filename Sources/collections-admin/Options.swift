import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Foundation
import Postgres

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

struct FormatOptions: ParsableArguments {
    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table
}

/// Who the audit log names for changes made from this CLI.
func adminActor() -> String {
    "admin:\(ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown")"
}

