import CollectionsService
import Testing

/// The control-character rule, without a server.
@Suite struct TextSafetyTests {
    /// Test oracle, named as such: the rule written out again (C0, DEL and C1).
    static func oracleIsControl(_ value: UInt32) -> Bool { value <= 0x1F || value == 0x7F || (0x80...0x9F).contains(value) }

    @Test func theUTF8ScanFindsExactlyTheControlCharactersOfEveryScalar() {
        for value in UInt32(0)...0x10FFFF where value < 0xD800 || value > 0xDFFF {
            // Every scalar up to U+FFFF, and a sample above (they are 4 bytes, never control).
            guard value <= 0xFFFF || value % 4099 == 0 else { continue }
            let scalar = Unicode.Scalar(value)!
            let text = "ab" + String(Character(scalar)) + "c"
            let found = ControlCharacters.first(inUTF8: text.utf8)
            #expect((found != nil) == Self.oracleIsControl(value), "U+\(String(value, radix: 16))")
            #expect(ControlCharacters.isControl(scalar) == Self.oracleIsControl(value))
            if let found { #expect(found.value == value && found.position == 3) }
        }
    }

    @Test func multiLineTextMayHoldTabAndLineBreaksOnly() {
        #expect(ControlCharacters.first(inUTF8: "a\tb\nc\r\nd".utf8, allowingLineBreaks: true) == nil)
        #expect(ControlCharacters.first(inUTF8: "a\tb".utf8)?.value == 9)
        #expect(ControlCharacters.first(inUTF8: "é\n\u{0B}".utf8, allowingLineBreaks: true).map { [$0.value, UInt32($0.position)] } == [0x0B, 3])
        #expect(ControlCharacters.first(inUTF8: "x\u{9B}2J".utf8, allowingLineBreaks: true)?.value == 0x9B)
        #expect(ControlCharacters.refusal(inUTF8: "Evil\u{1B}[31m".utf8)
            == "contains the control character U+001B (escape) at character 5: control characters (tab, line breaks, escape, ...) are not allowed")
    }
}
