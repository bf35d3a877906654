public import Foundation

extension CollectionsDatabase {
    /// The agency whose key the current task's work is for (set by the HTTP API's
    /// door for an agency's key, around the whole request), or nil for the
    /// lender's own work. While it is set, `withTenant` takes
    /// `collections_agency` with `app.agency_id` instead of `collections_app`, so
    /// every service call made for the request sees and writes only the accounts
    /// placed with that agency: the database decides, not the handler.
    @TaskLocal public static var agency: UUID?
}
