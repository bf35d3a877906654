import CollectionsService
import Foundation
import Postgres
import Testing
import TestSupport

/// DESIGN.md "Scale-out": every statement on a tenant table names its tenant
/// (`tenant_id = $n` on every tenant table it reads or writes, joins included),
/// so Citus can route it to one shard; row-level security is the safety net, not
/// the filter. The programs run here for real (the demo: imports, the service's
/// calls, the worker's days, the reports) against a server that records every
/// statement, nested ones in functions included (pg_stat_statements with
/// track = all, which deploy/local/test.sh loads), and each recorded statement is
/// read for its tenant tables.
@Suite struct TenantNamingTests {
    @Test func everyStatementTheProgramsSendToATenantTableNamesItsTenant() async throws {
        let fixture = try await ServiceFixture.make("naming")
        let connection = try await fixture.database.connect()
        let preloaded = try await connection.query("SELECT current_setting('shared_preload_libraries')")
            .scalar(String.self) ?? ""
        try #require(preloaded.contains("pg_stat_statements"), """
            the server must load pg_stat_statements (shared_preload_libraries, pg_stat_statements.track = all), \
            as deploy/local/test.sh starts it
            """)
        try await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        let tables = Set(try await connection.query("""
            SELECT c.relname::text FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p')
            """).map { try $0.decode(String.self, at: 0) })
        #expect(tables.count > 40)
        try await connection.execute("""
            SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)
            """)

        let demo = try await Executable.run(
            "collections-admin", ["demo", "--clients", "40", "--days", "20",
                                  "--worker-database-url", fixture.database.url(as: .worker)],
            databaseURL: fixture.database.url(as: .admin))
        try #require(demo.status == 0, "demo: \(demo.stderr)")
        for slug in ["demo-lonestar-title", "demo-ibm"] {
            for report in [["report", "kpis", slug], ["report", "ageing", slug], ["report", "worklist", slug],
                           ["report", "dunning-plan", slug], ["report", "collectors", slug], ["plan", "list", slug],
                           ["dispute", "summary", slug], ["agency", "list", slug]] {
                let result = try await Executable.run("collections-admin", report + ["--format", "json"],
                                                      databaseURL: fixture.database.url(as: .admin))
                #expect(result.status == 0, "\(report): \(result.stderr)")
            }
        }

        let recorded = try await connection.query("""
            SELECT s.query, s.toplevel FROM pg_stat_statements s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            """).decode((String, Bool).self)
        let statements = recorded.map(\.0)
        // What the programs send themselves: an INSERT ... SELECT into a tenant
        // table that Citus would COPY into the shards, which PostgreSQL refuses
        // under row-level security (deploy/citus/README.md; the functions'
        // statements are that file's "What still fails", item 2).
        let copied = recorded.filter(\.1).compactMap { TenantNaming.copiedByCitus($0.0, tenantTables: tables) }
        #expect(copied.isEmpty, "INSERT ... SELECT without RETURNING or ON CONFLICT (use PostgresConnection.insert):\n\(copied.sorted().joined(separator: "\n\n"))")
        #expect(statements.count > 200, "the programs ran: \(statements.count) statements recorded")
        var unnamed: [String] = []
        var read: Set<String> = []
        for statement in statements {
            read.formUnion(TenantNaming.tables(in: statement, tenantTables: tables))
            for reference in TenantNaming.unnamedReferences(in: statement, tenantTables: tables) {
                unnamed.append("\(reference): \(statement.prefix(300))")
            }
        }
        // What the run reached: most tenant tables, each in statements read here.
        #expect(read.count * 10 >= tables.count * 8, "tables reached: \(read.count) of \(tables.count): missing \(tables.subtracting(read).sorted())")
        #expect(unnamed.isEmpty, "statements that do not name their tenant:\n\(unnamed.sorted().joined(separator: "\n\n"))")
        await connection.close()
    }

    @Test func theReaderFindsATenantTableThatIsNotNamedAndAcceptsOnesThatAre() {
        let tables: Set<String> = ["invoices", "clients", "payments"]
        #expect(TenantNaming.unnamedReferences(
            in: "SELECT i.id FROM invoices i JOIN clients c ON c.id = i.client_id WHERE i.tenant_id = $1",
            tenantTables: tables) == ["clients c"])
        #expect(TenantNaming.unnamedReferences(
            in: "SELECT i.id FROM invoices i JOIN clients c ON c.tenant_id = $1 AND c.id = i.client_id WHERE i.tenant_id = $1",
            tenantTables: tables).isEmpty)
        #expect(TenantNaming.unnamedReferences(in: "UPDATE payments SET x = $2 WHERE id = $1", tenantTables: tables)
                == ["payments"])
        #expect(TenantNaming.unnamedReferences(in: "DELETE FROM payments WHERE tenant_id = $1 AND id = $2",
                                               tenantTables: tables).isEmpty)
        #expect(TenantNaming.unnamedReferences(in: "INSERT INTO payments (id, amount) VALUES ($1, $2)",
                                               tenantTables: tables) == ["payments"])
        #expect(TenantNaming.unnamedReferences(in: "INSERT INTO payments (tenant_id, id) VALUES ($1, $2)",
                                               tenantTables: tables).isEmpty)
        // A foreign key's check, as the server writes it.
        #expect(TenantNaming.unnamedReferences(in: """
            SELECT 1 FROM ONLY "public"."clients" x WHERE "tenant_id" OPERATOR(pg_catalog.=) $1 AND "id" OPERATOR(pg_catalog.=) $2 FOR KEY SHARE OF x
            """, tenantTables: tables).isEmpty)
        // An INSERT ... SELECT Citus would COPY, and ones it would not.
        #expect(TenantNaming.copiedByCitus("INSERT INTO payments (tenant_id, id) SELECT $1, u.id FROM unnest($2) u",
                                           tenantTables: tables) != nil)
        #expect(TenantNaming.copiedByCitus(
            "WITH inserted AS (INSERT INTO payments (tenant_id, id) SELECT $1, u.id FROM unnest($2) u RETURNING 1) SELECT count(*) FROM inserted",
            tenantTables: tables) == nil)
        #expect(TenantNaming.copiedByCitus(
            "INSERT INTO payments (tenant_id, id) SELECT $1, s.id FROM import_stage s ON CONFLICT (tenant_id, id) DO NOTHING",
            tenantTables: tables) == nil)
        #expect(TenantNaming.copiedByCitus("INSERT INTO payments (tenant_id, id) VALUES ($1, $2)", tenantTables: tables) == nil)
        #expect(TenantNaming.copiedByCitus("INSERT INTO import_rejects (line) SELECT s.line FROM import_stage s",
                                           tenantTables: tables) == nil)
        // A comment or a function of a similar name is no reference.
        #expect(TenantNaming.unnamedReferences(in: "SELECT * FROM invoices_at($1) -- from invoices\n", tenantTables: tables)
                .isEmpty)
    }
}

/// Reads a statement for the tenant tables it references and whether each is
/// named by its tenant: `alias.tenant_id =` (or `IN`; the bare column when the
/// table has no alias or is the statement's only table) somewhere in the
/// statement, or tenant_id in an INSERT's columns. A common table expression of a
/// tenant table's name is not the table. A heuristic, not a parser; the test
/// above checks it on both sides.
enum TenantNaming {
    static let keywords: Set<String> = [
        "where", "on", "set", "join", "left", "right", "inner", "outer", "cross", "full", "natural", "group", "order",
        "limit", "offset", "returning", "values", "select", "using", "for", "union", "except", "intersect", "having",
        "window", "lateral", "as", "and", "or", "default", "do", "with", "when", "then", "else", "end", "tablesample",
        "overriding",
    ]

    /// The tenant tables `statement` references.
    static func tables(in statement: String, tenantTables: Set<String>) -> Set<String> {
        Set(statement.lowercased().replacingOccurrences(of: "\"", with: "")
            .matches(of: /\b(?:from|join|update|into|using)\s+(?:only\s+)?(?:public\.)?([a-z_][a-z0-9_]*)\b/)
            .map { String($0.output.1) }.filter(tenantTables.contains))
    }

    /// The statement, when it inserts into a tenant table from a query with
    /// neither RETURNING nor ON CONFLICT: Citus runs that by COPY into the shards.
    static func copiedByCitus(_ statement: String, tenantTables: Set<String>) -> String? {
        let text = statement.lowercased().replacingOccurrences(of: "\"", with: "")
        guard let insert = text.firstMatch(of: /\binsert\s+into\s+(?:public\.)?([a-z_][a-z0-9_]*)/),
              tenantTables.contains(String(insert.output.1)) else { return nil }
        let rest = text[insert.range.upperBound...]
        // VALUES rows (a subquery in one included) go to the shard as an INSERT.
        guard let select = rest.firstMatch(of: /\bselect\b/),
              rest.firstMatch(of: /\bvalues\b/).map({ $0.range.lowerBound > select.range.lowerBound }) ?? true,
              !rest.contains(/\breturning\b/), !rest.contains(/\bon\s+conflict\b/) else { return nil }
        return String(statement.prefix(300))
    }

    static func unnamedReferences(in statement: String, tenantTables: Set<String>) -> [String] {
        let text = statement.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line) }
            .joined(separator: " ").lowercased()
            .replacingOccurrences(of: "\"", with: "")
            .replacingOccurrences(of: "operator(pg_catalog.=)", with: "=")
        let reference = /\b(from|join|update|into|using)\s+(?:only\s+)?(?:public\.)?([a-z_][a-z0-9_]*)\b(?!\()(?:\s+(?:as\s+)?([a-z_][a-z0-9_]*))?/
        let expressions = Set(text.matches(of: /\b([a-z_][a-z0-9_]*)\s+as\s+(?:not\s+)?(?:materialized\s+)?\(/)
            .map { String($0.output.1) })
        let references = text.matches(of: reference)
        var unnamed: [String] = []
        for match in references {
            let table = String(match.output.2)
            guard tenantTables.contains(table), !expressions.contains(table) else { continue }
            let word = match.output.3.map(String.init)
            let alias = word.flatMap { keywords.contains($0) ? nil : $0 }
            if match.output.1 == "into" {
                let rest = text[match.range.upperBound...].drop { $0 == " " }
                let columns = rest.first == "(" ? rest.prefix { $0 != ")" } : ""
                if !columns.contains("tenant_id") { unnamed.append(table) }
                continue
            }
            let name = alias ?? table
            let named = text.contains(try! Regex("\\b\(name)\\.tenant_id\\s*(=|in\\b)"))
                || text.contains(try! Regex("=\\s*\(name)\\.tenant_id\\b"))
                || ((alias == nil || references.count == 1)
                    && (text.contains(try! Regex("(^|[^.a-z0-9_])tenant_id\\s*(=|in\\b)"))
                        || text.contains(try! Regex("=\\s*tenant_id\\b"))))
            if !named { unnamed.append(alias.map { "\(table) \($0)" } ?? table) }
        }
        return unnamed
    }
}
