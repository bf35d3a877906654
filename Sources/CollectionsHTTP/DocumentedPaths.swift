/// The paths the OpenAPI document declares, read from the embedded document
/// itself, so a request for a declared path with an undeclared method is told
/// 405 Method Not Allowed (with `Allow`) rather than 404.
enum DocumentedPaths {
    /// Each path's segments (`{id}` matches any one segment) and its methods.
    static let all: [(segments: [Substring], methods: [String])] = {
        var paths: [(segments: [Substring], methods: [String])] = []
        var inPaths = false
        for line in OpenAPIDocument.yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if let first = line.first, first != " " { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                paths.append((line.dropFirst(2).dropLast().split(separator: "/"), []))
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), !paths.isEmpty {
                let word = line.dropFirst(4).dropLast()
                if ["get", "post", "patch", "put", "delete"].contains(word) { paths[paths.count - 1].methods.append(word.uppercased()) }
            }
        }
        return paths
    }()

    /// The methods a path takes, or nil when the document has no such path.
    static func methods(for path: String) -> [String]? {
        let segments = path.split(separator: "/")
        return all.first { candidate in
            candidate.segments.count == segments.count
                && zip(candidate.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }?.methods
    }
}
