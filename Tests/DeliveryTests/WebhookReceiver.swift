import Foundation

/// A lender's webhook endpoint on loopback: Python's http.server in a process of
/// its own, recording every request it gets (headers, body, the status it
/// answered) and answering 503 while its `down` file exists, 200 otherwise. Its
/// output goes to /dev/null, never the test's (swift test waits for every holder
/// of its output to close it); it exits when terminated, when the test process is
/// gone, or after two minutes whatever happens.
final class WebhookReceiver {
    struct Received: Sendable, Decodable {
        let headers: [String: String]
        let body: String
        let status: Int
    }

    let process: Process
    let folder: URL
    let port: Int

    var url: String { "http://127.0.0.1:\(port)/hooks" }
    private var down: URL { folder.appendingPathComponent("down") }
    private var log: URL { folder.appendingPathComponent("requests.jsonl") }

    static let script = #"""
        import json, os, signal, sys, threading, time
        # The test process's threads block most signals, and a child inherits the mask.
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        signal.signal(signal.SIGTERM, lambda *args: os._exit(0))
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
        folder, delay = sys.argv[1], float(sys.argv[2])
        lock = threading.Lock()
        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('content-length', 0))).decode()
                if delay:
                    time.sleep(delay)
                status = 503 if os.path.exists(os.path.join(folder, 'down')) else 200
                record = {'headers': {k.lower(): v for k, v in self.headers.items()}, 'body': body, 'status': status}
                with lock:
                    with open(os.path.join(folder, 'requests.jsonl'), 'a') as f:
                        f.write(json.dumps(record) + '\n')
                self.send_response(status)
                self.send_header('content-length', '0')
                self.end_headers()
            def log_message(self, *args):
                pass
        server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        with open(os.path.join(folder, 'port.tmp'), 'w') as f:
            f.write(str(server.server_address[1]))
        os.rename(os.path.join(folder, 'port.tmp'), os.path.join(folder, 'port'))
        parent, started = os.getppid(), time.time()
        def watchdog():
            while os.getppid() == parent and time.time() - started < 120:
                time.sleep(0.2)
            os._exit(0)
        threading.Thread(target=watchdog, daemon=True).start()
        server.serve_forever()
        """#

    /// Starts one and waits until it listens. `delay`: seconds each answer takes.
    init(delay: Double = 0) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("webhooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, folder.path, String(delay)]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let portFile = folder.appendingPathComponent("port")
        var port: Int?
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let number = Int(text) {
                port = number
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let port else {
            process.terminate()
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the receiver did not start"])
        }
        self.port = port
    }

    /// Answers 503 from now on (`true`) or 200.
    func setDown(_ isDown: Bool) throws {
        if isDown {
            try Data().write(to: down)
        } else if FileManager.default.fileExists(atPath: down.path) {
            try FileManager.default.removeItem(at: down)
        }
    }

    /// Every request so far, in the order answered.
    func requests() throws -> [Received] {
        guard let data = try? Data(contentsOf: log) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Received.self, from: Data($0)) }
    }

    func stop() {
        if process.isRunning { process.terminate() }
        // Polled: waitUntilExit spins a run loop on Linux.
        for _ in 0..<200 where process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        try? FileManager.default.removeItem(at: folder)
    }
}
