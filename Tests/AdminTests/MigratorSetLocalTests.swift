@testable import CollectionsSchema
import Testing

/// Citus forwards a whole query string that holds a `SET LOCAL` to its workers,
/// which then refuse the grants sent with it (deploy/citus/README.md): the
/// bootstrap goes out with each `SET LOCAL` in a query of its own.
@Suite struct MigratorSetLocalTests {
    @Test func eachSetLocalLineIsAQueryOfItsOwn() {
        let parts = Migrator.setLocalApart("""
            DO $x$ BEGIN NULL; END $x$;
            SET LOCAL ROLE collections_owner;
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            GRANT USAGE ON SCHEMA public TO collections_app;
            """)
        #expect(parts == [
            "DO $x$ BEGIN NULL; END $x$;",
            "SET LOCAL ROLE collections_owner;",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC;\nGRANT USAGE ON SCHEMA public TO collections_app;",
        ])
    }

    @Test func theBootstrapKeepsAllItsTextAndNoSetLocalSharesAQuery() {
        let parts = Migrator.setLocalApart(Migration.bootstrap)
        #expect(parts.contains("SET LOCAL ROLE collections_owner;"))
        for part in parts where part.split(separator: "\n").contains(where: { $0.hasPrefix("SET LOCAL ") }) {
            #expect(part.hasPrefix("SET LOCAL ") && !part.contains("\n"), "\(part.prefix(80))")
        }
        let rejoined = parts.joined(separator: "\n").filter { !$0.isWhitespace }
        #expect(rejoined == Migration.bootstrap.filter { !$0.isWhitespace })
    }
}
