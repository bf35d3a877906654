package import CollectionsService

extension CollectionsDatabase {
    /// Runs `body` with this database, then closes it, awaited, whether `body`
    /// returned or threw: a command never returns with its pool left to close in
    /// a detached task (which the process's exit would cut short).
    package func closing<T>(_ body: (CollectionsDatabase) async throws -> T) async throws -> T {
        let result: T
        do {
            result = try await body(self)
        } catch {
            await close()
            throw error
        }
        await close()
        return result
    }
}
