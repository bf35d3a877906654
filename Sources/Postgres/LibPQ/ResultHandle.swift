import CLibPQ

/// Owns a finished `PGresult`.
///
/// A PGresult is immutable once libpq hands it over and holds no reference to its
/// connection, so reading it from any thread is safe; it is freed exactly once, in
/// `deinit`.
final class ResultHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PQclear(pointer) }
}
