/// Which statements a connection has prepared, and how often it ran the others.
///
/// psycopg 3's rule: a statement, that is its text *and* its parameter types (the same
/// text with other types is another statement to the server), is prepared once it has
/// run `threshold` times. At most `capacity` stay prepared; making room deallocates
/// the least recently used one, alone. The counts of statements not prepared yet are
/// kept for the most recently run ones only (at most `candidateCapacity`), so the
/// bookkeeping stays bounded however many distinct texts a connection runs.
///
/// A plain value: the connection asks it, then does what it says.
struct StatementCache {
    struct Key: Hashable {
        var text: String
        var types: [UInt32]
    }

    enum Decision: Equatable {
        /// Already prepared under this name.
        case prepared(String)
        /// Prepare it under `name` (and call `didPrepare`), first deallocating `evicting`.
        case prepare(name: String, evicting: String?)
        /// Run it unprepared.
        case unprepared
    }

    let threshold: Int
    let capacity: Int
    let candidateCapacity: Int

    private var statements: [Key: (name: String, lastUse: UInt64)] = [:]
    private var candidates: [Key: (count: Int, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0
    private var nextName = 0

    init(threshold: Int, capacity: Int, candidateCapacity: Int? = nil) {
        precondition(threshold >= 1 && capacity >= 1, "a statement cache needs a threshold and a capacity of at least 1")
        self.threshold = threshold
        self.capacity = capacity
        self.candidateCapacity = max(candidateCapacity ?? 2 * capacity, 2)
    }

    var preparedCount: Int { statements.count }
    var candidateCount: Int { candidates.count }

    /// What to do with `key` now. `canPrepare` is false where preparing would fail
    /// (a transaction that already failed), the count still goes up.
    mutating func decide(_ key: Key, canPrepare: Bool = true) -> Decision {
        clock += 1
        if let statement = statements[key] {
            statements[key] = (statement.name, clock)
            return .prepared(statement.name)
        }
        let count = (candidates[key]?.count ?? 0) + 1
        guard count >= threshold, canPrepare else {
            candidates[key] = (count, clock)
            trimCandidates()
            return .unprepared
        }
        candidates[key] = nil
        var evicting: String? = nil
        if statements.count >= capacity,
           let oldest = statements.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            statements[oldest.key] = nil
            evicting = oldest.value.name
        }
        nextName += 1
        return .prepare(name: "_pg_s\(nextName)", evicting: evicting)
    }

    /// Records that `decide`'s `.prepare` succeeded.
    mutating func didPrepare(_ key: Key, name: String) {
        statements[key] = (name, clock)
    }

    /// Forgets every statement, after the server lost them (`DEALLOCATE ALL`, a pooler).
    mutating func removeAll() {
        statements.removeAll()
        candidates.removeAll()
    }

    /// Past the bound, keeps the newest half of the candidates: the sort is paid once
    /// per `candidateCapacity / 2` new texts.
    private mutating func trimCandidates() {
        guard candidates.count > candidateCapacity else { return }
        let keep = candidates.sorted { $0.value.lastUse > $1.value.lastUse }.prefix(candidateCapacity / 2)
        candidates = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }
}
