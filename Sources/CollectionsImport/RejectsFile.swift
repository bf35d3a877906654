import Foundation
import Postgres

/// A rejects file being written: it holds clients' personal data, so it is a new
/// file of its own, readable by its owner only, until it is renamed into place.
///
/// The temporary file is created in the destination's folder (so the rename is
/// atomic) under a random name, with `O_CREAT | O_EXCL | O_NOFOLLOW` and mode 0600:
/// nothing planted at a guessable name beforehand (a symlink to another file, a
/// file others can read) is ever opened, followed or truncated. `rename(2)` then
/// replaces whatever is at the destination, a symlink included, without following it.
struct RejectsFile: Sendable {
    /// Where the file goes, as the operator named it (for messages).
    let path: String
    let temporaryPath: String
    let descriptor: Int32

    static func create(for path: String) throws -> RejectsFile {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        for _ in 0..<8 {
            // 128 random bits from the system's generator: not guessable.
            let random = String(UInt64.random(in: .min ... .max), radix: 16) + String(UInt64.random(in: .min ... .max), radix: 16)
            let temporary = (folder as NSString).appendingPathComponent(".\(name).\(random).partial")
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if descriptor < 0 {
                if errno == EEXIST || errno == EINTR { continue }
                throw ImportError.file("cannot write the rejects file \(path): \(String(cString: strerror(errno)))")
            }
            // The umask may only take permissions away; make it exactly 0600.
            guard fchmod(descriptor, 0o600) == 0 else {
                let message = String(cString: strerror(errno))
                close(descriptor)
                unlink(temporary)
                throw ImportError.file("cannot write the rejects file \(path): \(message)")
            }
            return RejectsFile(path: path, temporaryPath: temporary, descriptor: descriptor)
        }
        throw ImportError.file("cannot write the rejects file \(path): no unused temporary name in \(folder)")
    }

    /// Renames the written (and fsynced) file into place; `failure` says what was done
    /// when it cannot be (the import itself has committed by then).
    func commit(failure: String) throws {
        close(descriptor)
        guard rename(temporaryPath, path) == 0 else {
            let error = ImportError.file(
                "\(failure), but the rejects file could not be written to \(path): \(String(cString: strerror(errno)))")
            unlink(temporaryPath)
            throw error
        }
    }

    /// Closes and removes the temporary file.
    func discard() {
        close(descriptor)
        unlink(temporaryPath)
    }
}

/// `write(2)`, by a name no method shadows.
func writeBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
