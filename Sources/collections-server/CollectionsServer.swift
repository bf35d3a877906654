import ArgumentParser

/// `collections-server`: the lender HTTP API (DESIGN.md "HTTP API").
struct CollectionsServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collections-server",
        abstract: "The lender HTTP API.",
        subcommands: [ServeCommand.self])
}
