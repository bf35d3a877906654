public import CollectionsService
public import Foundation
import Postgres

/// A tenant's templates (sql/0015 message_templates), with the built-in wording
/// for every name it has not set.
public struct MessageTemplates: Sendable {
    let database: CollectionsDatabase
    let tenant: UUID

    public init(database: CollectionsDatabase, tenant: UUID) {
        self.database = database
        self.tenant = tenant
    }

    /// The tenant's own templates, by name.
    public func stored() async throws -> [MessageTemplate] {
        try await database.withTenant(tenant) { tx in
            try await Self.stored(tx, tenant: tenant)
        }
    }

    static func stored(_ tx: PostgresConnection, tenant: UUID) async throws -> [MessageTemplate] {
        try await tx.query("""
            SELECT t.name, t.subject, t.text_body, t.html_body, t.sms_body FROM message_templates t
            WHERE t.tenant_id = \(tenant) ORDER BY t.name
            """).decode((String, String, String, String?, String).self).map {
            MessageTemplate(name: $0.0, subject: $0.1, text: $0.2, html: $0.3, sms: $0.4)
        }
    }

    /// Replaces the tenant's templates with `templates`, each checked first
    /// (`MessageTemplate.check`): one that does not render is refused now, with
    /// where, and nothing changes.
    public func set(_ templates: [MessageTemplate], by author: String) async throws {
        var seen = Set<String>()
        for (index, template) in templates.enumerated() {
            guard (1...64).contains(template.name.count) else {
                throw MessageTemplate.Problem(field: "templates[\(index + 1)].name", reason: "must be 1 to 64 characters")
            }
            guard seen.insert(template.name).inserted else {
                throw MessageTemplate.Problem(field: "templates[\(index + 1)].name", reason: "\(template.name) is given twice")
            }
            try template.check()
        }
        try await database.withTenant(tenant) { tx in
            try await tx.execute("DELETE FROM message_templates t WHERE t.tenant_id = \(tenant)")
            for template in templates {
                try await tx.execute("""
                    INSERT INTO message_templates (tenant_id, name, subject, text_body, html_body, sms_body, updated_by)
                    VALUES (\(tenant), \(template.name), \(template.subject), \(template.text), \(template.html),
                            \(template.sms), \(author))
                    """)
            }
        }
    }

    /// The template a message of `name` uses: the tenant's, else the built-in one.
    static func resolve(_ name: String, in stored: [MessageTemplate]) -> MessageTemplate {
        stored.first { $0.name == name } ?? builtIn(name)
    }

    /// The built-in wording: before the due date, on it, and after; and a payment
    /// plan's instalment reminder (`plan_instalment_due`). Each lists the
    /// message's invoices and instalments, since a message may have both.
    public static func builtIn(_ name: String) -> MessageTemplate {
        let instalments = "{{#instalments}}- instalment {{seq}} of {{of}} of your payment plan, due {{due_on}}: {{balance}} ({{timing}})\n{{/instalments}}"
        let list = "{{#invoices}}- {{number}}, due {{due_on}}: {{balance}} ({{timing}})\n{{/invoices}}" + instalments
        let htmlInstalments = "{{#instalments}}<li>instalment {{seq}} of {{of}} of your payment plan, due {{due_on}}: <b>{{balance}}</b> ({{timing}})</li>{{/instalments}}"
        let htmlList = "<ul>{{#invoices}}<li>{{number}}, due {{due_on}}: <b>{{balance}}</b> ({{timing}})</li>{{/invoices}}\(htmlInstalments)</ul>"
        let footer = "\n{{lender}}\nTo stop these emails: {{opt_out_url}}\n"
        let htmlFooter = "<p>{{lender}}</p><p style=\"font-size:small\"><a href=\"{{opt_out_url}}\">Stop these emails</a></p>"
        switch name {
        case "reminder_before_due":
            return MessageTemplate(
                name: name, subject: "{{lender}}: payment due soon ({{total}})",
                text: "Dear {{client_name}},\n\nA friendly reminder that these are due soon:\n\n\(list)\nIf you have already paid, thank you, and please ignore this message.\n\(footer)",
                html: "<p>Dear {{client_name}},</p><p>A friendly reminder that these are due soon:</p>\(htmlList)<p>If you have already paid, thank you, and please ignore this message.</p>\(htmlFooter)",
                sms: "{{lender}}: {{total}} due soon ({{invoice_count}} invoice(s)). Reply STOP to opt out.")
        case "plan_instalment_due":
            return MessageTemplate(
                name: name, subject: "{{lender}}: your payment plan instalment ({{total}})",
                text: "Dear {{client_name}},\n\nA reminder of your payment plan:\n\n\(list)\nIf you have already paid, thank you, and please ignore this message.\n\(footer)",
                html: "<p>Dear {{client_name}},</p><p>A reminder of your payment plan:</p>\(htmlList)<p>If you have already paid, thank you, and please ignore this message.</p>\(htmlFooter)",
                sms: "{{lender}}: your payment plan instalment of {{total}} is due{{#instalments}} {{due_on}}{{/instalments}}. Reply STOP to opt out.")
        case "reminder_due":
            return MessageTemplate(
                name: name, subject: "{{lender}}: payment due today ({{total}})",
                text: "Dear {{client_name}},\n\nThese are due today:\n\n\(list)\nIf you have already paid, thank you.\n\(footer)",
                html: "<p>Dear {{client_name}},</p><p>These are due today:</p>\(htmlList)<p>If you have already paid, thank you.</p>\(htmlFooter)",
                sms: "{{lender}}: {{total}} is due today. Reply STOP to opt out.")
        default:
            return MessageTemplate(
                name: name, subject: "{{lender}}: overdue balance of {{total}}",
                text: "Dear {{client_name}},\n\nOur records show these unpaid:\n\n\(list)\nPlease pay, or reply to arrange a payment plan.\n\(footer)",
                html: "<p>Dear {{client_name}},</p><p>Our records show these unpaid:</p>\(htmlList)<p>Please pay, or reply to arrange a payment plan.</p>\(htmlFooter)",
                sms: "{{lender}}: {{total}} is overdue. Please pay or call us to arrange a plan. Reply STOP to opt out.")
        }
    }
}
