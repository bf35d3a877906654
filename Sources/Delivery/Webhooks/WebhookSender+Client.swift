public import AsyncHTTPClient

extension WebhookSender {
    /// The HTTP client webhooks go out with: it follows no redirect (a redirect
    /// answers no webhook, and would send a lender's events where it did not say).
    /// The caller shuts it down.
    public static func makeHTTPClient() -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
    }
}
