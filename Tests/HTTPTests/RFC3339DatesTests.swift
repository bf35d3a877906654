@testable import CollectionsHTTP
import Foundation
import Testing

/// `format: date-time` as RFC 3339 has it, checked against known instants.
@Suite struct RFC3339DatesTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2024-03-01T10:00:00Z", 1_709_287_200.0),
        ("2024-03-01T10:00:00.25Z", 1_709_287_200.25),
        ("2024-03-01T12:30:00+02:30", 1_709_287_200.0),
        ("2024-03-01t09:00:00-01:00", 1_709_287_200.0),
        ("0341-12-31T16:43:05.5-19:46", -51_374_691_054.5),
    ])
    func parsesWhatRFC3339Allows(text: String, seconds: Double) throws {
        let date = try #require(RFC3339Dates.parse(text), "\(text)")
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001, "\(text): \(date.timeIntervalSince1970)")
    }

    @Test(arguments: ["2024-02-30T00:00:00Z", "2024-03-01T24:00:00Z", "2024-03-01T10:00:00", "2024-03-01T10:00Z",
                      "2024-03-01T10:00:00+2:00", "2024-03-01T10:00:00.Z", "２０２４-03-01T10:00:00Z", ""])
    func refusesWhatItDoesNot(text: String) {
        #expect(RFC3339Dates.parse(text) == nil, "\(text)")
    }
}
