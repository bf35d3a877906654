public import ArgumentParser

/// Who reads the output: a person (an aligned table), a spreadsheet (CSV) or a
/// program (JSON).
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, csv, json
}

/// `--format`, on every command that prints data.
public struct FormatOptions: ParsableArguments {
    public init() {}

    @Option(help: "Output format: table, csv or json.")
    public var format: OutputFormat = .table
}
