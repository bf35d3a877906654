/// What every page's header shows: the title, the pages, who is signed in, and
/// the sign-out form's CSRF token.
struct DashboardChrome: Sendable {
    struct Link: Sendable {
        var href: String
        var label: String
        var current: Bool
    }

    var title: String
    var signedIn: Bool
    var nav: [Link]
    var tenantName: String
    var agency: Bool
    var csrfToken: String

    /// The header of a signed-in page; `current` is the nav entry's href.
    init(title: String, session: DashboardSession, tenantName: String, current: String) {
        self.title = title
        signedIn = true
        let pages: [(String, String)] = session.agency == nil
            ? [("/dashboard", "Overview"), ("/dashboard/worklist", "Worklist"), ("/dashboard/dunning", "Dunning")]
            : [("/dashboard/worklist", "Placed accounts")]
        nav = pages.map { Link(href: $0.0, label: $0.1, current: $0.0 == current) }
        self.tenantName = tenantName
        agency = session.agency != nil
        csrfToken = session.csrfToken
    }

    /// The header of the sign-in page.
    init(title: String) {
        self.title = title
        signedIn = false
        nav = []
        tenantName = ""
        agency = false
        csrfToken = ""
    }
}
