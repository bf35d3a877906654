import Foundation

extension PaymentPlan {
    enum CodingKeys: String, CodingKey {
        case id, clientRef, status, currency, totalMinor, instalments, asOf, frequency, startOn, madeOn, invoices,
             defaultedOn, keptOn, cancelledOn, cancelReason
    }

    /// The id in lowercase, as the HTTP API writes ids, and every optional field
    /// present (null when unset), so a program sees one shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.uuidString.lowercased(), forKey: .id)
        try container.encode(clientRef, forKey: .clientRef)
        try container.encode(status, forKey: .status)
        try container.encode(currency, forKey: .currency)
        try container.encode(totalMinor, forKey: .totalMinor)
        try container.encode(instalments, forKey: .instalments)
        try container.encode(asOf, forKey: .asOf)
        try container.encode(frequency, forKey: .frequency)
        try container.encode(startOn, forKey: .startOn)
        try container.encode(madeOn, forKey: .madeOn)
        try container.encode(invoices, forKey: .invoices)
        try container.encodeOrNull(defaultedOn, forKey: .defaultedOn)
        try container.encodeOrNull(keptOn, forKey: .keptOn)
        try container.encodeOrNull(cancelledOn, forKey: .cancelledOn)
        try container.encodeOrNull(cancelReason, forKey: .cancelReason)
    }
}

extension PaymentPlan.Instalment {
    enum CodingKeys: String, CodingKey { case seq, dueOn, amountMinor, paidMinor, status, missedOn }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seq, forKey: .seq)
        try container.encode(dueOn, forKey: .dueOn)
        try container.encode(amountMinor, forKey: .amountMinor)
        try container.encode(paidMinor, forKey: .paidMinor)
        try container.encode(status, forKey: .status)
        try container.encodeOrNull(missedOn, forKey: .missedOn)
    }
}
