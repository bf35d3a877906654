import Postgres
import Testing

/// `DATABASE_PREPARE_THRESHOLD`, which the programs read behind a pgbouncer that
/// cannot keep prepared statements (before 1.21, in transaction mode).
@Suite struct PrepareThresholdEnvironmentTests {
    let base = try! ConnectionConfiguration("host=/tmp dbname=collections")

    @Test func offNeverPreparesAndANumberSetsTheThreshold() throws {
        #expect(base.prepareThreshold == 5)
        #expect(try base.applyingEnvironment(["DATABASE_PREPARE_THRESHOLD": "off"]).prepareThreshold == nil)
        #expect(try base.applyingEnvironment(["DATABASE_PREPARE_THRESHOLD": "2"]).prepareThreshold == 2)
    }

    @Test func unsetOrEmptyLeavesTheLayersDefault() throws {
        #expect(try base.applyingEnvironment([:]).prepareThreshold == 5)
        #expect(try base.applyingEnvironment(["DATABASE_PREPARE_THRESHOLD": ""]).prepareThreshold == 5)
    }

    @Test(arguments: ["0", "-1", "no", "OFF", "5x"])
    func anythingElseIsRefusedInWords(_ text: String) {
        #expect {
            try base.applyingEnvironment(["DATABASE_PREPARE_THRESHOLD": text])
        } throws: { error in
            "\(error)".contains("DATABASE_PREPARE_THRESHOLD must be off or a whole number of at least 1, not \"\(text)\"")
        }
    }
}
