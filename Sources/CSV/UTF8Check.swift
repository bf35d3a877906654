import Foundation

/// UTF-8 validation of a field's bytes.
package enum UTF8Check {
    /// The index of the first byte that is not part of a well-formed UTF-8
    /// sequence (overlong forms, surrogates and code points past U+10FFFF are
    /// not well-formed), or nil when all of `range` is UTF-8.
    package static func firstInvalid(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        let upper = range.upperBound
        while index < upper {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            guard index + length <= upper else { return index }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return index }
            for k in 2..<length where bytes[index + k] & 0xC0 != 0x80 { return index }
            index += length
        }
        return nil
    }
}
