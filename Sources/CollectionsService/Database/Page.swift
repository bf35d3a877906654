import Foundation
import Postgres

/// One page of a keyset-paginated list.
///
/// Keyset (not OFFSET) pagination: the cursor is the last key of this page, and
/// the next page starts strictly after it, so rows added or removed meanwhile
/// never shift a page or repeat one.
public struct Page<Item: Sendable & Codable>: Sendable, Codable {
    public var items: [Item]
    /// Pass as `after:` for the next page; nil on the last page.
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Builds a page from up to `limit + 1` fetched rows: the extra row only says
    /// that there is more.
    static func from(_ fetched: [Item], limit: Int, key: (Item) -> String) -> Page {
        guard fetched.count > limit else { return Page(items: fetched, nextCursor: nil) }
        let items = Array(fetched.prefix(limit))
        return Page(items: items, nextCursor: items.last.map(key))
    }
}
