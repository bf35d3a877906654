import CSV
import CollectionsService
import Testing

/// The control-character rule and CSV neutralisation, without a server.
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

    @Test func aTerminalSeesControlCharactersAsVisibleEscapes() {
        #expect(ControlCharacters.escaped("Evil\u{1B}[31mRed\u{9B}2J\u{7F}\n") == "Evil\\x1b[31mRed\\x9b2J\\x7f\\x0a")
        #expect(ControlCharacters.escaped("Café Ünïcode ✓") == "Café Ünïcode ✓")
    }

    @Test func formulasAreNeutralisedAndNumbersLeftNumeric() {
        let formulas = ["=1+1", "+1-555-0100", "-1+2", "-A1", "-", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")", "-1e5", "- 3"]
        for cell in formulas { #expect(CSVWriter.isFormula(Array(cell.utf8)), "\(cell)") }
        let plain = ["-12.50", "-3", "12", "0", "-1,234.56", "-3,1,7,14,30", "", "a=b", "Acme", "'=already"]
        for cell in plain { #expect(!CSVWriter.isFormula(Array(cell.utf8)), "\(cell)") }
        #expect(CSVWriter.record(["=HYPERLINK(\"http://x\",\"y\")", "-12.50", "a,b", "+1", "@x", "-3,1,7"])
            == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-12.50,\"a,b\",'+1,'@x,\"-3,1,7\"")
        #expect(CSVWriter.record(["\r=1"]) == "\"'\r=1\"")
    }
}
