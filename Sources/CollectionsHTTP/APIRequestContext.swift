public import Hummingbird
import Logging

/// The request context of every route: Hummingbird's core storage and what the
/// API's middleware learns on the way in (the key's visible prefix, for the
/// request log).
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// What the inner middleware noted (the key's visible prefix) for the request log.
    let notes = RequestNotes()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies are bounded by `BodyLimitMiddleware`, per route, before anything reads them.
    public var maxUploadSize: Int { Int.max }
}
