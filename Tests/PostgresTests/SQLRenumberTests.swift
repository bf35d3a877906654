import Postgres
import Testing

/// Appending a fragment shifts its `$n` placeholders, and only those: the lexer must
/// leave every `$n` inside strings, identifiers, comments and dollar quotes alone.
/// No server needed, except the last two tests, which check the value bound.
@Suite struct SQLRenumberTests {
    /// `text` appended after one parameter, so its placeholders shift by one.
    func shifted(_ text: String) -> String {
        var sql: SQL = "\(0)"
        sql.append(SQL(unescaped: text))
        return String(sql.text.dropFirst(2))
    }

    @Test func placeholdersOutsideAnythingShift() {
        #expect(shifted(" $1 + $2 * $10") == " $2 + $3 * $11")
    }

    @Test func singleQuotedStringsWithDoubledQuotes() {
        #expect(shifted("'it''s $1' || $1") == "'it''s $1' || $2")
        // A backslash is an ordinary character in a standard string: it ends at the quote.
        #expect(shifted(#"'C:\' || $1"#) == #"'C:\' || $2"#)
    }

    @Test func escapeStringsWithBackslashes() {
        #expect(shifted(#"E'it\'s $1' || $1"#) == #"E'it\'s $1' || $2"#)
        #expect(shifted(#"e'\\' || $1 || e'a''$1'"#) == #"e'\\' || $2 || e'a''$1'"#)
        // An identifier ending in E is not an escape-string prefix.
        #expect(shifted(#"typE'x\' || $1"#) == #"typE'x\' || $2"#)
    }

    @Test func doubleQuotedIdentifiers() {
        #expect(shifted(#""col$1" = $1 AND "a""$2" = $2"#) == #""col$1" = $2 AND "a""$2" = $3"#)
    }

    @Test func lineComments() {
        #expect(shifted("-- the client's $1\n$1") == "-- the client's $1\n$2")
        #expect(shifted("$1 -- $2") == "$2 -- $2")
        #expect(shifted("a - -$1") == "a - -$2")
    }

    @Test func nestedBlockComments() {
        #expect(shifted("/* outer /* inner's $1 */ still $1 */ $1") == "/* outer /* inner's $1 */ still $1 */ $2")
        #expect(shifted("$1 / $2 * $3") == "$2 / $3 * $4")
    }

    @Test func dollarQuotedStrings() {
        #expect(shifted("$$ it's $1 $$ || $1") == "$$ it's $1 $$ || $2")
        #expect(shifted("$fn$ $$ $1 $f$ $fn$ || $1") == "$fn$ $$ $1 $f$ $fn$ || $2")
        #expect(shifted("$_x1$ $1 $_x1$$1") == "$_x1$ $1 $_x1$$2")
    }

    @Test func identifiersMayContainDollars() {
        #expect(shifted("a$1 + $1") == "a$1 + $2")
        #expect(shifted("x$$ + $1") == "x$$ + $2")
    }

    @Test func nonASCIITextAndUnterminatedRunsAreCopiedUnchanged() {
        #expect(shifted("'é$1' || $1 || 'ü' || ünï$1") == "'é$1' || $2 || 'ü' || ünï$1")
        #expect(shifted("$1 'unterminated $1") == "$2 'unterminated $1")
        #expect(shifted("$1 /* unterminated $1") == "$2 /* unterminated $1")
        #expect(shifted("$1 $$ unterminated $1") == "$2 $$ unterminated $1")
    }

    @Test func anApostropheInACommentBindsTheRightValue() async throws {
        var sql: SQL = "SELECT \("first")::text AS a, "
        sql.append("-- the client's note\n \("second")::text AS b")
        try await withConnection { connection async throws in
            let row = try #require(try await connection.query(sql).decode((String, String).self).first)
            #expect(row.0 == "first" && row.1 == "second", "\(row)")
        }
    }

    @Test func aPlaceholderInsideDollarQuotesIsText() async throws {
        var sql: SQL = "SELECT \("first")::text AS a, "
        sql.append("$$costs $1$$::text AS b, \("second")::text AS c")
        try await withConnection { connection async throws in
            let row = try #require(try await connection.query(sql).decode((String, String, String).self).first)
            #expect(row.0 == "first" && row.1 == "costs $1" && row.2 == "second", "\(row)")
        }
    }
}
