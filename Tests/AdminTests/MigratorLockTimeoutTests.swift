@testable import CollectionsSchema
import Postgres
import Testing

/// `Migrator.lockTimeout` reaches SQL only as digits: no text can be spliced in.
@Suite struct MigratorLockTimeoutTests {
    func statement(_ timeout: Duration) throws -> String {
        var migrator = Migrator(configuration: try ConnectionConfiguration("host=localhost dbname=unused"))
        migrator.lockTimeout = timeout
        return migrator.setLockTimeout
    }

    @Test func theTimeoutIsRenderedAsWholeMillisecondsOnly() throws {
        #expect(try statement(.seconds(10)) == "SET LOCAL lock_timeout = 10000")
        #expect(try statement(.milliseconds(1500)) == "SET LOCAL lock_timeout = 1500")
        // Rounded up, and never 0 (which would mean no timeout at all).
        #expect(try statement(.microseconds(1200)) == "SET LOCAL lock_timeout = 2")
        #expect(try statement(.nanoseconds(1)) == "SET LOCAL lock_timeout = 1")
        #expect(try statement(.zero) == "SET LOCAL lock_timeout = 1")
        #expect(try statement(.seconds(-5)) == "SET LOCAL lock_timeout = 1")
        #expect(try statement(.seconds(Int64.max)) == "SET LOCAL lock_timeout = 2147483647")
        let rendered = try statement(.milliseconds(1234))
        let digits = rendered.dropFirst("SET LOCAL lock_timeout = ".count)
        #expect(!digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber })
    }
}
