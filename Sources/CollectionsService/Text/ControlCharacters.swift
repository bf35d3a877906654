/// Control characters: one rule for every text the service takes in (the importer's
/// checks and the library's own writes, `Check.text`) and prints (tables on a terminal).
///
/// A control character is C0 (U+0000-U+001F), DEL (U+007F) or C1 (U+0080-U+009F).
/// None is allowed in a text field, except that multi-line text (a note's body) may
/// hold tab, line feed and carriage return. Stored, they would reach collectors'
/// terminals and screens as cursor moves and colour changes (ESC, CSI U+009B), or
/// a message sender as header breaks.
public enum ControlCharacters {
    @inlinable
    public static func isControl(_ value: UInt32) -> Bool {
        value < 0x20 || (0x7F...0x9F).contains(value)
    }

    public static func isControl(_ scalar: Unicode.Scalar) -> Bool { isControl(scalar.value) }

    /// Tab, line feed and carriage return: what multi-line text may hold.
    @usableFromInline
    static func isLineBreakOrTab(_ value: UInt32) -> Bool { value == 9 || value == 10 || value == 13 }

    /// The first control character refused in UTF-8 text (valid UTF-8: the importer
    /// checks that first, a Swift string is): its code point and its position in
    /// characters (code points, from 1), as `char_length` counts them. Inlinable, so
    /// the importer (another module) runs it specialised over every byte of every
    /// text field.
    @inlinable
    public static func first(inUTF8 bytes: some Collection<UInt8>, allowingLineBreaks: Bool = false)
        -> (value: UInt32, position: Int)?
    {
        var position = 0
        var lead: UInt8 = 0
        for byte in bytes {
            if byte & 0xC0 != 0x80 { position += 1 }
            // Every control character is one byte, or two with a lead byte of 0xC2 (C1):
            // scalars of three or four bytes are U+0800 or above.
            if byte < 0x80 {
                lead = 0
                let value = UInt32(byte)
                if isControl(value), !(allowingLineBreaks && isLineBreakOrTab(value)) { return (value, position) }
            } else if byte & 0xE0 == 0xC0 {
                lead = byte
            } else {
                if lead != 0, byte & 0xC0 == 0x80 {
                    let value = UInt32(lead & 0x1F) << 6 | UInt32(byte & 0x3F)
                    if isControl(value) { return (value, position) }
                }
                lead = 0
            }
        }
        return nil
    }

    /// Why text is refused, in the words of the importer's and the library's messages
    /// ("contains the control character U+001B (escape) at character 5: ..."), or nil.
    @inlinable
    public static func refusal(inUTF8 bytes: some Collection<UInt8>, allowingLineBreaks: Bool = false) -> String? {
        guard let (value, position) = first(inUTF8: bytes, allowingLineBreaks: allowingLineBreaks) else { return nil }
        return refusal(value, at: position, allowingLineBreaks: allowingLineBreaks)
    }

    /// The words of a refusal, once one is found (not inlined: it is the rare path).
    @usableFromInline
    static func refusal(_ value: UInt32, at position: Int, allowingLineBreaks: Bool) -> String {
        let allowed = allowingLineBreaks
            ? "control characters other than tab, line feed and carriage return are not allowed"
            : "control characters (tab, line breaks, escape, ...) are not allowed"
        return "contains the control character \(codePoint(value))\(name(value).map { " (\($0))" } ?? "") at character \(position): \(allowed)"
    }

    /// `text` for a terminal: each control character as a visible `\xHH` escape of its
    /// code point (`\x1b` for ESC, `\x9b` for CSI, `\x0a` for a line break), so a crafted
    /// name cannot move the cursor, recolour the screen or break a table's lines. A
    /// backslash already in the text is left as it is: this is for reading, not parsing.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\x" + (hex.count == 1 ? "0" : "") + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func name(_ value: UInt32) -> String? {
        switch value {
        case 0: "NUL"
        case 9: "tab"
        case 10: "line feed"
        case 13: "carriage return"
        case 0x1B: "escape"
        case 0x7F: "DEL"
        case 0x9B: "CSI"
        default: nil
        }
    }
}
