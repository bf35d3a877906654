import Mustache

/// The dashboard's templates (dashboard/templates, embedded by
/// deploy/dev/embed-dashboard-templates.sh), compiled once. `{{ }}` escapes
/// HTML, and the templates use nothing else for what a page shows, charts
/// included: every value, a client's name or a number, reaches the page escaped.
struct DashboardRenderer: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for template in DashboardTemplates.all { try library.register(template.source, named: template.name) }
        self.library = library
    }

    func render(_ template: String, _ view: Any) -> String {
        library.render(view, withTemplate: template) ?? ""
    }
}
