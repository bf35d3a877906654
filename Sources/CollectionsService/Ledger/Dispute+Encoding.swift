import Foundation

extension Dispute {
    enum CodingKeys: String, CodingKey {
        case id, invoiceNumber, openedOn, reasonCode, reason, currency, amountMinor, resolvedOn, outcome, resolution, writeOffID
    }

    /// The HTTP API's shape (ids in lowercase, the amount as minor units and a
    /// currency), with every optional field present (null when unset), so a
    /// program sees one shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.uuidString.lowercased(), forKey: .id)
        try container.encode(invoiceNumber, forKey: .invoiceNumber)
        try container.encode(openedOn, forKey: .openedOn)
        try container.encode(reasonCode, forKey: .reasonCode)
        try container.encode(reason, forKey: .reason)
        try container.encode(amount.currency, forKey: .currency)
        try container.encode(amount.amountMinor, forKey: .amountMinor)
        try container.encodeOrNull(resolvedOn, forKey: .resolvedOn)
        try container.encodeOrNull(outcome, forKey: .outcome)
        try container.encodeOrNull(resolution, forKey: .resolution)
        try container.encodeOrNull(writeOffID?.uuidString.lowercased(), forKey: .writeOffID)
    }
}
