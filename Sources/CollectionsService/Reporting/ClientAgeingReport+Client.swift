public import Foundation
import Postgres

extension ClientAgeingReport {
    /// One client's figures in one currency: who, then the same `AgeingFigures`
    /// as a currency's line, read through (`client.totalMinor`) and encoded flat
    /// beside the client's keys, as the JSON report has always shown them.
    @dynamicMemberLookup
    public struct Client: Sendable, Equatable, Codable {
        public var clientID: UUID
        public var clientRef: String
        public var clientName: String
        public var figures: AgeingFigures

        public init(clientID: UUID, clientRef: String, clientName: String, figures: AgeingFigures) {
            self.clientID = clientID
            self.clientRef = clientRef
            self.clientName = clientName
            self.figures = figures
        }

        /// A row of `Ageing.byClientRowsSQL` or a client ageing snapshot, with the
        /// client's `client_ref` and `client_name` joined in.
        init(row: PostgresRow, ranges: [(label: String, fromDays: Int, toDays: Int?)]) throws {
            self.init(
                clientID: try row["client_id"], clientRef: try row["client_ref"], clientName: try row["client_name"],
                figures: try AgeingFigures(row: row, ranges: ranges))
        }

        public subscript<Value>(dynamicMember keyPath: WritableKeyPath<AgeingFigures, Value>) -> Value {
            get { figures[keyPath: keyPath] }
            set { figures[keyPath: keyPath] = newValue }
        }

        enum CodingKeys: String, CodingKey {
            case clientID = "client_id"
            case clientRef = "client_ref"
            case clientName = "client_name"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            clientID = try container.decode(UUID.self, forKey: .clientID)
            clientRef = try container.decode(String.self, forKey: .clientRef)
            clientName = try container.decode(String.self, forKey: .clientName)
            figures = try AgeingFigures(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(clientID, forKey: .clientID)
            try container.encode(clientRef, forKey: .clientRef)
            try container.encode(clientName, forKey: .clientName)
            try figures.encode(to: encoder)
        }
    }
}
