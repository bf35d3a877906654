/// How a dispute ended. Upheld, the lender gives up what it held: as a credit
/// note (the charge was wrong; not bad debt) or as a write-off (bad debt). Rejected,
/// the amount is collectible again.
public enum DisputeOutcome: String, Sendable, Codable, CaseIterable {
    case creditNote = "credit_note"
    case writeOff = "write_off"
    case rejected

    public static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
