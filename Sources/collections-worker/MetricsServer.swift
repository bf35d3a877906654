import Foundation
import Glibc
import Logging
import Prometheus
import ServiceLifecycle

/// Serves the Prometheus registry as text on `GET /metrics`.
///
/// A plain blocking socket loop on a thread of its own: a scrape every few seconds
/// needs no event loop, and keeping it off Swift's cooperative pool keeps the
/// worker's tasks unaffected by a slow scraper.
final class MetricsServer: Service, @unchecked Sendable {
    // Safe: `descriptor` is written once before the thread starts and read by
    // `stop`, which only closes it; the registry is itself thread-safe.
    private let registry: PrometheusCollectorRegistry
    private let host: String
    private let port: UInt16
    private let logger: Logger
    private var descriptor: Int32 = -1

    init(registry: PrometheusCollectorRegistry, host: String, port: UInt16, logger: Logger) {
        self.registry = registry
        self.host = host
        self.port = port
        self.logger = logger
    }

    func run() async throws {
        descriptor = try listen()
        logger.info("metrics on http://\(host):\(port)/metrics")
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "metrics-server"
        thread.start()
        // Runs until graceful shutdown, then closes the socket, which ends the loop.
        try? await gracefulShutdown()
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }

    private func listen() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MetricsServerError("cannot create a socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw MetricsServerError("--metrics-host \(host) is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else {
            close(fd)
            throw MetricsServerError("cannot listen on \(host):\(port): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    private func acceptLoop() {
        while true {
            let client = accept(descriptor, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            respond(client)
            close(client)
        }
    }

    private func respond(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = [UInt8](repeating: 0, count: 4096)
        let count = read(client, &request, request.count)
        guard count > 0 else { return }
        let line = String(decoding: request[..<count], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let (status, type, body): (String, String, [UInt8])
        if line.hasPrefix("GET /metrics ") || line == "GET /metrics" {
            (status, type, body) = ("200 OK", "text/plain; version=0.0.4", registry.emitToBuffer())
        } else if line.hasPrefix("GET /healthz") {
            (status, type, body) = ("200 OK", "text/plain", Array("ok\n".utf8))
        } else {
            (status, type, body) = ("404 Not Found", "text/plain", Array("not found\n".utf8))
        }
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let response = Array(head.utf8) + body
        var sent = 0
        while sent < response.count {
            let n = response[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            sent += n
        }
    }
}

struct MetricsServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
