import Foundation

/// What the figures were measured on: they mean little without it.
struct MachineInfo: Codable, Sendable {
    var cores: Int
    var memTotalBytes: Int?
    var serverVersion: String
    var fsync: String
    var synchronousCommit: String
    var sharedBuffers: String
    var date: String

    var line: String {
        let memory = memTotalBytes.map { Format.bytes($0) } ?? "unknown memory"
        let version = serverVersion.split(separator: " ").first.map(String.init) ?? serverVersion
        return "\(cores) cores, \(memory), PostgreSQL \(version) (fsync \(fsync), synchronous_commit \(synchronousCommit), "
            + "shared_buffers \(sharedBuffers)), \(date)"
    }
}

enum Machine {
    /// `MemTotal` of /proc/meminfo, in bytes.
    static func memTotalBytes() -> Int? {
        procField(file: "/proc/meminfo", key: "MemTotal:")
    }

    /// The process's peak resident memory (`VmHWM`), in bytes: evidence that the
    /// COPY streams rather than loads the file.
    static func peakResidentBytes() -> Int? {
        procField(file: "/proc/self/status", key: "VmHWM:")
    }

    private static func procField(file: String, key: String) -> Int? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
            return kib * 1024
        }
        return nil
    }

    /// User plus system CPU time of this process (all its threads), or of the
    /// children it has waited for, in seconds.
    static func cpuSeconds(children: Bool = false) -> Double {
        var usage = rusage()
        _ = getrusage(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
