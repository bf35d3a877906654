import HTTPTypes

/// A page the dashboard refuses, in words: its status, heading and message.
struct DashboardError: Error, Sendable {
    var status: HTTPResponse.Status
    var heading: String
    var message: String

    /// The one 404 of a client: the same bytes whether the id never existed, is
    /// another tenant's, or is not placed with the session's agency.
    static let noSuchClient = DashboardError(status: .notFound, heading: "Not found", message: "There is no such client.")
    static let csrf = DashboardError(
        status: .forbidden, heading: "Form expired",
        message: "The form's security token is missing or does not match this session. Reload the page and try again.")
    static let agencyOnly = DashboardError(
        status: .forbidden, heading: "Not available",
        message: "An agency's key sees only the accounts placed with the agency: this page is the lender's.")
}
