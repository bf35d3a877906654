import ArgumentParser
import CollectionsCommandLine
import CollectionsService
import Delivery
import Foundation

/// `tenant templates SLUG show | set FILE.json`: the wording of the tenant's messages.
struct TemplatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "Show the tenant's message templates, or replace them from a JSON file.",
        discussion: """
            {"templates": [{"name": "reminder_due", "subject": "...", "text": "...", "html": "...",
            "sms": "..."}]}: one per template name the dunning steps use (html is optional). Mustache,
            with lender, client_name, client_ref, step, date, invoice_count, total, opt_out_url and
            {{#invoices}}number, due_on, balance, timing{{/invoices}}; amounts read "1,234.56 USD".
            A template that does not parse, names anything else (a typo would render as nothing),
            or whose text renders longer than 459 characters (3 texts) with 3 invoices is refused
            when it is set, with where, and nothing changes. A name without a template of the
            tenant's uses the built-in wording. `show --format json` prints a file `set` takes.
            """)

    enum Action: String, ExpressibleByArgument, CaseIterable { case show, set }

    @OptionGroup var options: TenantOptions
    @Argument(help: "show or set.") var action: Action
    @Argument(help: "The templates file (JSON), for set.") var file: String?

    func validate() throws {
        switch action {
        case .show where file != nil: throw ValidationError("show takes no file")
        case .set where file == nil: throw ValidationError("set needs the templates file: tenant templates SLUG set FILE.json")
        default: break
        }
    }

    struct Document: Codable {
        struct Entry: Codable {
            var name: String
            var subject: String
            var text: String
            var html: String?
            var sms: String
            /// "tenant" or "built-in"; ignored by set.
            var source: String?
        }
        var tenant: String?
        var templates: [Entry]
    }

    func run() async throws {
        try await options.withTenant { db, tenant in
            let templates = MessageTemplates(database: db, tenant: tenant.id)
            var note = ""
            if action == .set, let file {
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                    throw ServiceError(.invalid, "cannot read \(file): \((error as NSError).localizedDescription)")
                }
                let document: Document
                do { document = try JSONDecoder().decode(Document.self, from: data) } catch {
                    throw ServiceError(.invalid, "\(file): not a templates file ({\"templates\": [...]}): \(Self.describe(error))")
                }
                do {
                    try await templates.set(document.templates.map {
                        MessageTemplate(name: $0.name, subject: $0.subject, text: $0.text, html: $0.html, sms: $0.sms)
                    }, by: adminActor())
                } catch let problem as MessageTemplate.Problem {
                    throw ServiceError(.invalid, "\(file): \(problem)")
                }
                note = "stored \(document.templates.count) template(s)\n"
            }
            let stored = try await templates.stored()
            let used = try await DunningPolicies(database: db, tenant: tenant.id).current().steps.map(\.template)
            var entries = stored.map {
                Document.Entry(name: $0.name, subject: $0.subject, text: $0.text, html: $0.html, sms: $0.sms, source: "tenant")
            }
            for name in Set(used).subtracting(stored.map(\.name)).sorted() {
                let builtIn = MessageTemplates.builtIn(name)
                entries.append(Document.Entry(name: name, subject: builtIn.subject, text: builtIn.text, html: builtIn.html,
                                              sms: builtIn.sms, source: "built-in"))
            }
            let table = Table(headers: ["name", "source", "subject", "sms"],
                              rows: entries.map { [$0.name, $0.source ?? "", $0.subject, $0.sms] })
            try emit(Document(tenant: tenant.slug, templates: entries), format: options.format, table: { table },
                     before: "\(note)\(tenant.name) (\(tenant.slug)): message templates\n\n",
                     instead: entries.isEmpty ? "no templates, and no dunning step names one\n" : nil)
        }
    }

    /// A decoding error as `templates[2].sms is missing`, counting from 1 as
    /// `tenant dunning set` does.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { text, key in
                if let index = key.intValue { return "\(text)[\(index + 1)]" }
                return text.isEmpty ? key.stringValue : "\(text).\(key.stringValue)"
            }
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(path(context.codingPath)): must be a string"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "it does not parse" : "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
