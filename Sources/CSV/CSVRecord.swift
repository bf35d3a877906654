import Foundation

/// One record of a CSV file: its fields' bytes, decoded (quotes removed, `""`
/// made `"`), back to back, and where it started.
///
/// Reused from record to record, so reading a file allocates per field only
/// while a record grows past the largest one seen.
package struct CSVRecord {
    /// The file line the record starts on (1-based). A quoted field may span
    /// lines, so the next record's line can be more than this one's plus one.
    package init() {}

    package var line = 0
    /// The fields' decoded bytes, one after another.
    package var bytes: [UInt8] = []
    /// Where each field ends in `bytes`.
    package var ends: [Int] = []
    /// Where each field starts in the file (its first byte, an opening quote
    /// included), for error messages.
    package var offsets: [Int64] = []
    /// Whether each field was quoted.
    package var quoted: [Bool] = []
    /// Structural problems (rare): (field index, what is wrong).
    package var malformed: [(field: Int, message: String)] = []
    /// Fields past `CSVReader.maxFields` are counted, not kept.
    package var extraFields = 0

    package var count: Int { ends.count + extraFields }

    package mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        quoted.removeAll(keepingCapacity: true)
        if !malformed.isEmpty { malformed.removeAll() }
        extraFields = 0
    }

    /// The decoded bytes of field `index` (which must be kept, `< ends.count`).
    package func range(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// Field `index` as text, without surrounding ASCII blanks; nil when empty.
    package func text(_ index: Int) -> String? {
        guard index < ends.count else { return nil }
        let trimmed = CSVRecord.trim(bytes, range(index))
        guard !trimmed.isEmpty else { return nil }
        return String(decoding: bytes[trimmed], as: UTF8.self)
    }

    /// `range` without leading and trailing spaces and tabs.
    package static func trim(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 { upper -= 1 }
        return lower..<upper
    }

    /// The file offset of decoded byte `index` of field `field`: a quoted field's
    /// opening quote and each doubled quote before it take a byte more.
    package func fileOffset(field: Int, index: Int) -> Int64 {
        let range = self.range(field)
        var offset = offsets[field] + Int64(index - range.lowerBound)
        if quoted[field] {
            offset += 1 + Int64(bytes[range.lowerBound..<index].lazy.filter { $0 == 34 }.count)
        }
        return offset
    }
}
