/// Buffers COPY data and hands it to the connection in large chunks.
/// Used by one task, inside `copyIn`'s body.
public final class CopyWriter {
    private let connection: PostgresConnection
    private var buffer: [UInt8] = []
    private let chunkSize = 256 * 1024
    public private(set) var bytesWritten = 0

    init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(chunkSize + 4096)
    }

    /// Raw bytes in the COPY statement's format.
    public func write(_ bytes: some Sequence<UInt8>) async throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= chunkSize { try await flush() }
    }

    /// One row in COPY's default text format; nil is NULL. Escapes tab, newline,
    /// carriage return and backslash.
    public func writeRow(_ values: [String?]) async throws {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(9) }
            guard let value else {
                buffer.append(contentsOf: [92, 78])  // \N
                continue
            }
            for byte in value.utf8 {
                switch byte {
                case 92: buffer.append(contentsOf: [92, 92])
                case 9: buffer.append(contentsOf: [92, 116])
                case 10: buffer.append(contentsOf: [92, 110])
                case 13: buffer.append(contentsOf: [92, 114])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(10)
        if buffer.count >= chunkSize { try await flush() }
    }

    func flush() async throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        bytesWritten += chunk.count
        buffer.removeAll(keepingCapacity: true)
        try await connection.putCopyData(chunk)
    }
}
