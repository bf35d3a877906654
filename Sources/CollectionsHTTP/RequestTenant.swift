import Foundation

/// The tenant of the request being answered, set by `AuthMiddleware` around the
/// rest of the request, for the generated handlers (which see the request, not
/// its context). A handler that finds none refuses: nothing runs untenanted.
enum RequestTenant {
    @TaskLocal static var current: UUID?

    static func required() throws -> UUID {
        guard let tenant = current else { throw Problem.unauthorized }
        return tenant
    }
}
