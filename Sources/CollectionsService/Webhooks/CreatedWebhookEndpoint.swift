/// A new endpoint and its signing secret, which is shown this once: the lender
/// verifies every request with it, and nothing lists it again.
public struct CreatedWebhookEndpoint: Sendable, Codable, Equatable {
    public var endpoint: WebhookEndpoint
    /// `whsec_` and the base64 of 32 random bytes, as Standard Webhooks libraries take it.
    public var secret: String
}
