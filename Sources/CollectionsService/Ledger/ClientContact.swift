public import Foundation

/// A client's id and when it was last contacted (its newest note), for a list
/// of clients named by ref (the dashboard's worklist links and "last contact").
public struct ClientContact: Sendable, Equatable {
    public var id: UUID
    public var ref: String
    public var lastContactAt: Date?
}
