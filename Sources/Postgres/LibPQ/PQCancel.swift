import CLibPQ

/// A libpq cancel object (`PGcancel`), freed when the last reference goes.
///
/// Unlike a `PGconn`, libpq documents `PQcancel` as safe to call from any thread
/// while another uses the connection (it only reads the `PGcancel`): that is its
/// purpose. A caller holds a reference for as long as its call runs, so the object
/// is never freed under a running cancel.
final class PQCancel: @unchecked Sendable {
    private let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PQfreeCancel(pointer) }

    /// `PQcancel`: asks the server to cancel the connection's running statement.
    /// Blocking (it opens a connection to the server): never call it on Swift's
    /// cooperative pool. Returns libpq's message when the request could not be sent.
    func cancel() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        if PQcancel(pointer, &buffer, Int32(buffer.count)) == 1 { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
