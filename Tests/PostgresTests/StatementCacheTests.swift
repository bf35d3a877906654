@testable import Postgres
import Testing

/// Automatic preparing: keyed on text and parameter types, its counts bounded, and
/// room made by deallocating one statement, the least recently used.
@Suite struct StatementCacheTests {
    typealias Key = StatementCache.Key

    // MARK: The cache alone, no server

    @Test func aStatementIsPreparedAtTheThresholdAndThenReused() {
        var cache = StatementCache(threshold: 3, capacity: 10)
        let key = Key(text: "SELECT $1", types: [20])
        #expect(cache.decide(key) == .unprepared)
        #expect(cache.decide(key) == .unprepared)
        guard case .prepare(let name, evicting: nil) = cache.decide(key) else {
            Issue.record("not prepared at the threshold")
            return
        }
        cache.didPrepare(key, name: name)
        #expect(cache.decide(key) == .prepared(name))
        // Where preparing would fail, it is not asked for.
        let other = Key(text: "SELECT 2", types: [])
        #expect(cache.decide(other, canPrepare: false) == .unprepared)
        #expect(cache.decide(other, canPrepare: false) == .unprepared)
        #expect(cache.decide(other, canPrepare: false) == .unprepared)
        #expect(cache.preparedCount == 1)
    }

    @Test func theSameTextWithOtherParameterTypesIsAnotherStatement() {
        var cache = StatementCache(threshold: 1, capacity: 10)
        let int8 = Key(text: "SELECT pg_typeof($1)", types: [20])
        let int4 = Key(text: "SELECT pg_typeof($1)", types: [23])
        guard case .prepare(let first, _) = cache.decide(int8), case .prepare(let second, _) = cache.decide(int4) else {
            Issue.record("not prepared")
            return
        }
        #expect(first != second)
        cache.didPrepare(int8, name: first)
        cache.didPrepare(int4, name: second)
        #expect(cache.decide(int8) == .prepared(first))
        #expect(cache.decide(int4) == .prepared(second))
    }

    @Test func theLeastRecentlyUsedStatementIsEvictedAlone() {
        var cache = StatementCache(threshold: 1, capacity: 3)
        var names: [String: String] = [:]
        for text in ["a", "b", "c"] {
            guard case .prepare(let name, evicting: nil) = cache.decide(Key(text: text, types: [])) else {
                Issue.record("not prepared: \(text)")
                return
            }
            cache.didPrepare(Key(text: text, types: []), name: name)
            names[text] = name
        }
        #expect(cache.decide(Key(text: "a", types: [])) == .prepared(names["a"]!))
        // Full: "d" takes the place of "b", used least recently.
        guard case .prepare(let d, evicting: let evicted) = cache.decide(Key(text: "d", types: [])) else {
            Issue.record("not prepared: d")
            return
        }
        cache.didPrepare(Key(text: "d", types: []), name: d)
        #expect(evicted == names["b"])
        #expect(cache.preparedCount == 3)
        #expect(cache.decide(Key(text: "c", types: [])) == .prepared(names["c"]!))
    }

    @Test func theCountsOfStatementsNotYetPreparedStayBounded() {
        var cache = StatementCache(threshold: 5, capacity: 10)
        var most = 0
        for n in 0..<100_000 {
            _ = cache.decide(Key(text: "SELECT \(n)", types: []))
            most = max(most, cache.candidateCount)
        }
        #expect(most <= cache.candidateCapacity)
        #expect(cache.candidateCapacity == 20)
        // A statement run often is still counted, and prepared, among many run once.
        var preparedHot = false
        for n in 0..<50 {
            _ = cache.decide(Key(text: "SELECT once \(n)", types: []))
            if case .prepare = cache.decide(Key(text: "SELECT hot", types: [])) { preparedHot = true }
        }
        #expect(preparedHot)
    }

    // MARK: On a connection

    @Test func theSameTextWithDifferentParameterTypesWorksPastTheThreshold() async throws {
        try await withConnection { connection async throws in
            for _ in 0..<8 {
                #expect(try await connection.query("SELECT pg_typeof(\(Int64(1)))::text").scalar(String.self) == "bigint")
                #expect(try await connection.query("SELECT pg_typeof(\(Int32(1)))::text").scalar(String.self) == "integer")
            }
            #expect(try await connection.statementCacheCounts().prepared == 2)
        }
    }

    @Test func theCountStaysBoundedAfterManyDistinctTexts() async throws {
        try await withConnection { connection async throws in
            for n in 0..<2_000 {
                _ = try await connection.query("SELECT \(unescaped: String(n))::int8 AS n")
            }
            let counts = try await connection.statementCacheCounts()
            #expect(counts.candidates <= 2 * connection.configuration.preparedStatementLimit)
            #expect(counts.prepared == 0)
        }
    }

    @Test func evictionDeallocatesOneStatementTheLeastRecentlyUsed() async throws {
        var configuration = try await Shared.configuration()
        configuration.prepareThreshold = 1
        configuration.preparedStatementLimit = 3
        let connection = try await PostgresConnection.connect(configuration)
        func prepared() async throws -> [String] {
            // The simple protocol is never prepared: this query changes nothing.
            try await connection.simpleQuery("SELECT statement FROM pg_prepared_statements ORDER BY statement")
                .decode((String).self)
        }
        for name in ["a", "b", "c"] {
            #expect(try await connection.query("SELECT \(name)::text AS \(unescaped: name)").scalar(String.self) == name)
        }
        #expect(try await prepared() == ["SELECT $1::text AS a", "SELECT $1::text AS b", "SELECT $1::text AS c"])
        _ = try await connection.query("SELECT \("a")::text AS a")
        _ = try await connection.query("SELECT \("d")::text AS d")
        #expect(try await prepared() == ["SELECT $1::text AS a", "SELECT $1::text AS c", "SELECT $1::text AS d"])
        // The survivors still run prepared, and the evicted one is prepared again.
        #expect(try await connection.query("SELECT \("c")::text AS c").scalar(String.self) == "c")
        #expect(try await connection.query("SELECT \("b")::text AS b").scalar(String.self) == "b")
        #expect(try await prepared().count == 3)
        await connection.close()
    }
}
