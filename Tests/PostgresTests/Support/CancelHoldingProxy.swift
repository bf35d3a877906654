import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP proxy in front of the test server that forwards ordinary connections and
/// holds every cancel request (a connection whose first message is PostgreSQL's
/// CancelRequest) until `release()`, or until `holdLimit` has passed, then forwards it.
///
/// With it a test can keep libpq's `PQcancel` blocked for as long as it likes and
/// look at what the rest of the process can do meanwhile. Everything runs on threads
/// of its own, never on Swift's cooperative pool.
final class CancelHoldingProxy: @unchecked Sendable {
    // Safe: `held`, `released` and `stopped` are only touched while holding `condition`.
    let port: UInt16
    private let upstreamPort: UInt16
    private let listener: Int32
    private let condition = NSCondition()
    private var held = 0
    private var released = false
    private var stopped = false

    private static let cancelRequestCode: UInt32 = 80_877_102

    init(upstreamPort: UInt16, holdLimit: Duration) throws {
        self.upstreamPort = upstreamPort
        let listener = socket(AF_INET, Self.streamType, 0)
        guard listener >= 0 else { throw ProxyError("socket failed") }
        self.listener = listener
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw ProxyError("bind or listen failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        Self.spawn("proxy-accept") { [self] in acceptLoop() }
        Self.spawn("proxy-hold-limit") { [self] in
            let (seconds, attoseconds) = holdLimit.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
            release()
        }
    }

    /// Cancel requests received and held so far.
    var heldCount: Int { condition.withLock { held } }
    /// Whether the held requests were let through.
    var isReleased: Bool { condition.withLock { released } }

    /// Lets every held cancel request (and any later one) through to the server.
    func release() {
        condition.withLock {
            released = true
            condition.broadcast()
        }
    }

    /// Stops accepting connections (the ones open carry on until they end).
    func stop() {
        release()
        condition.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// True once `count` cancel requests are held at the same time, before the release;
    /// false when the release came first. Waits on a thread of its own.
    func waitUntilHolding(_ count: Int) async -> Bool {
        await withCheckedContinuation { continuation in
            Self.spawn("proxy-wait") { [self] in
                condition.lock()
                while held < count && !released { condition.wait() }
                let reached = held >= count && !released
                condition.unlock()
                continuation.resume(returning: reached)
            }
        }
    }

    // MARK: Connections

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if condition.withLock({ stopped }) { return }
                continue
            }
            Self.spawn("proxy-connection") { [self] in handle(client) }
        }
    }

    private func handle(_ client: Int32) {
        guard let header = Self.read(client, count: 8) else { close(client); return }
        let code = header[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        if code == Self.cancelRequestCode {
            guard let rest = Self.read(client, count: 8) else { close(client); return }
            condition.lock()
            held += 1
            condition.broadcast()
            while !released { condition.wait() }
            condition.unlock()
            // Through to the server, which closes the connection when done: so does the client's.
            if let server = connectUpstream() {
                _ = Self.write(server, header + rest)
                _ = Self.read(server, count: 1)
                close(server)
            }
            close(client)
            return
        }
        guard let server = connectUpstream(), Self.write(server, header) else { close(client); return }
        let pair = SocketPair(client: client, server: server)
        Self.spawn("proxy-up") { Self.pump(from: client, to: server); pair.finished() }
        Self.pump(from: server, to: client)
        pair.finished()
    }

    private func connectUpstream() -> Int32? {
        let server = socket(AF_INET, Self.streamType, 0)
        guard server >= 0 else { return nil }
        var address = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 { close(server); return nil }
        return server
    }

    /// Closes both sockets once both directions have ended.
    private final class SocketPair: @unchecked Sendable {
        // Safe: `remaining` is only touched while holding `lock`.
        let client: Int32
        let server: Int32
        private let lock = NSLock()
        private var remaining = 2
        init(client: Int32, server: Int32) { self.client = client; self.server = server }
        func finished() {
            let last = lock.withLock {
                remaining -= 1
                return remaining == 0
            }
            // Either side ending ends the other direction too.
            shutdown(client, Int32(SHUT_RDWR))
            shutdown(server, Int32(SHUT_RDWR))
            if last { close(client); close(server) }
        }
    }

    private static func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }
            if !write(destination, Array(buffer[0..<count])) { return }
        }
    }

    private static func read(_ socket: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { recv(socket, $0.baseAddress! + done, count - done, 0) }
            if n <= 0 { return nil }
            done += n
        }
        return bytes
    }

    private static func write(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { send(socket, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    #if canImport(Glibc)
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    #else
    private static let streamType = SOCK_STREAM
    #endif

    private static func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }

    struct ProxyError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
