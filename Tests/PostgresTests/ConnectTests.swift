import Foundation
import Glibc
import Postgres
import Testing
import TestSupport

@Suite struct ConnectTests {
    @Test func connectsAndReportsServerVersion() async throws {
        try await withConnection { connection async throws in
            let version = try await connection.query("SHOW server_version_num").scalar(String.self)
            #expect(Int(version ?? "") ?? 0 >= 150000)
            #expect(connection.backendPID > 0)
        }
    }

    @Test func malformedConnectionStringIsRefusedBeforeConnecting() throws {
        #expect {
            _ = try ConnectionConfiguration("host=localhost port")
        } throws: { error in
            let error = try #require(error as? PostgresError)
            return error.kind == .invalidConnectionString && error.message.contains("port")
        }
        #expect(throws: PostgresError.self) { _ = try ConnectionConfiguration("postgresql://host:notaport/db?bogus_option=1") }
    }

    @Test func unreachableServerNamesTheHostAndNeverThePassword() async throws {
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect("postgresql://app:s3cr3t-pass@127.0.0.1:1/db?connect_timeout=2")
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.message.contains("127.0.0.1") == true)
        #expect(error?.description.contains("s3cr3t-pass") == false)
    }

    /// A malformed string's message: libpq quotes the piece it could not read, which may
    /// be the password, as typed or decoded. `(string, what libpq still says)`.
    static let malformedWithPasswords: [(String, String)] = [
        ("postgresql://u:Pa%zzSecret99@127.0.0.1/x", "invalid percent-encoded token"),
        ("postgres://u:Secret99%41b@[::1/x", "IPv6 host address"),  // the whole URI
        ("postgresql://u:Secret99%00b@h/x", "forbidden value %00"),
        ("postgresql://u@h/x?password=Pa%zzSecret99&sslmode=require", "invalid percent-encoded token"),
        ("postgresql://u@h/x?pass%77ord=Pa%zzSecret99", "invalid percent-encoded token"),
        ("host=h password = correct Secret99 port=5432", "missing \"=\" after"),
        ("host=h password=correct Secret99=x", "invalid connection option"),
        ("host=h password='Secret99", "unterminated quoted string"),
    ]

    @Test(arguments: malformedWithPasswords)
    func aMalformedStringsMessageNeverHoldsAnyPartOfThePassword(string: String, message: String) throws {
        let error = #expect(throws: PostgresError.self) { _ = try ConnectionConfiguration(string) }
        #expect(error?.kind == .invalidConnectionString)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        for part in ["Secret99", "SecretA", "Pa%zz"] {
            #expect(error?.description.contains(part) == false, "\(error?.description ?? "")")
        }
    }

    @Test func aMalformedStringWithoutAPasswordStillQuotesWhatIsWrong() throws {
        let error = #expect(throws: PostgresError.self) { _ = try ConnectionConfiguration("postgresql://u@h/d%zzb") }
        #expect(error?.message == "invalid connection string: invalid percent-encoded token: \"d%zzb\"")
    }

    @Test func aPasswordThatLostItsAtSignIsNotPrintedAsAPort() async throws {
        // libpq reads `u:Secret99` as a host and a port, and then quotes the "port".
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect("postgresql://u:Secret99/x?connect_timeout=2")
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.message.contains("invalid integer value") == true, "\(error?.message ?? "")")
        #expect(error?.description.contains("Secret99") == false, "\(error?.description ?? "")")
    }

    @Test func aServerMessageQuotingAConnectionStringHasNoPassword() async throws {
        // A database name that was itself a URI: the server quotes it back.
        let configuration = try await Shared.configuration().with(database: "postgresql://a:Secret99@h/d")
        let error = await #expect(throws: PostgresError.self) { _ = try await PostgresConnection.connect(configuration) }
        #expect(error?.message.contains("does not exist") == true, "\(error?.message ?? "")")
        #expect(error?.description.contains("Secret99") == false, "\(error?.description ?? "")")
    }

    @Test func connectTimeoutIsHonoured() async throws {
        // A socket that listens but never answers: the kernel completes the TCP
        // handshake, the server never speaks, and only connect_timeout ends the wait.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(fd, $0, length) == 0 else { throw PostgresError(kind: .server, message: "bind failed") }
            }
        }
        listen(fd, 8)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)
        let started = ContinuousClock.now
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect("host=127.0.0.1 port=\(port) dbname=x connect_timeout=2")
        }
        let elapsed = ContinuousClock.now - started
        #expect(error?.kind == .connectionFailed)
        #expect(elapsed >= .seconds(1.5) && elapsed < .seconds(10))
    }

    @Test func configurationCanSwitchDatabaseAndUser() throws {
        let configuration = try ConnectionConfiguration("postgresql://alice:pw@db.example:6543/main")
        let other = configuration.with(user: "bob", database: "other")
        #expect(other["user"] == "bob")
        #expect(other["dbname"] == "other")
        #expect(other["host"] == "db.example")
        #expect(other["port"] == "6543")
        #expect(try ConnectionConfiguration(other.connectionString)["dbname"] == "other")
        #expect(!configuration.serverDescription.contains("pw"))
    }
}
