/// Writing CSV (RFC 4180) that is safe to open in a spreadsheet: every CSV the
/// programs write (`--format csv`, the importer's rejects file) goes through here.
public enum CSVWriter {
    /// Whether a spreadsheet would take the cell for a formula (OWASP, "CSV
    /// injection"): it begins with `=`, `+`, `-`, `@`, a tab or a carriage return.
    /// A number is not a formula: `-12.50`, `-3`, `-1,234.56` and lists of numbers such
    /// as reminder offsets (`-3,1,7`) stay as they are, numeric: a leading minus then
    /// only digits, `.` and `,` can hold no function, reference or operator.
    public static func isFormula(_ field: some Collection<UInt8>) -> Bool {
        guard let first = field.first else { return false }
        switch first {
        case 61, 43, 64, 9, 13: return true  // = + @ tab CR
        case 45:  // -
            let rest = field.dropFirst()
            guard let digit = rest.first, digit >= 48, digit <= 57 else { return true }
            return !rest.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 44 }
        default: return false
        }
    }

    /// Appends one field: a formula gets a leading `'` (OWASP's neutralisation; the
    /// spreadsheet shows the text as it was), and a field holding `,`, `"`, LF or CR
    /// is quoted, its quotes doubled. `defusingFormulas: false` is for files only a
    /// program reads back (a tenant's export, which `import` must read as it was
    /// stored: `+1-555-0100` is a phone number there, not `'+1-555-0100`).
    public static func appendField(_ field: some Collection<UInt8>, to out: inout [UInt8], defusingFormulas: Bool = true) {
        let prefix: [UInt8] = defusingFormulas && isFormula(field) ? [39] : []
        if field.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) {
            out.append(34)
            out.append(contentsOf: prefix)
            for byte in field {
                if byte == 34 { out.append(34) }
                out.append(byte)
            }
            out.append(34)
        } else {
            out.append(contentsOf: prefix)
            out.append(contentsOf: field)
        }
    }

    /// One record, fields separated by commas, without a line end.
    public static func record(_ fields: [String]) -> String { record(fields, defusingFormulas: true) }

    /// The same, formulas left as they are when `defusingFormulas` is false.
    public static func record(_ fields: [String], defusingFormulas: Bool) -> String {
        var out: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(44) }
            appendField(field.utf8, to: &out, defusingFormulas: defusingFormulas)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
