import Synchronization

/// What inner middleware learns about a request for the outer ones (the key
/// prefix for the request log): the request context is a value passed inward,
/// so this box, shared by all copies of it, carries the answer back out.
final class RequestNotes: Sendable {
    private let prefix = Mutex<String?>(nil)

    var keyPrefix: String? {
        get { prefix.withLock { $0 } }
        set { prefix.withLock { $0 = newValue } }
    }
}
