import Foundation
import Testing

/// The thin libpq layer stays in one place (Sources/Postgres/LibPQ, as psycopg's `pq`):
/// nothing else in the module imports libpq.
@Suite struct LayoutTests {
    @Test func onlyTheLibPQFolderImportsLibPQ() throws {
        let sources = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Postgres")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 10)
        var outside: [String] = []
        for file in files where !file.path.contains("/Sources/Postgres/LibPQ/") {
            let text = try String(contentsOf: file, encoding: .utf8)
            if text.contains("import CLibPQ") { outside.append(file.lastPathComponent) }
        }
        #expect(outside.isEmpty, "libpq imported outside LibPQ/: \(outside)")
    }
}
