import Foundation
import Postgres

/// One rule the staged rows are checked against in SQL: when `condition` holds
/// for a row (alias `s`, with whatever the check's FROM joins), `reason` (a SQL
/// text expression) is recorded against `column`.
struct ImportCheck {
    let column: String?
    let condition: String
    let reason: String

    init(_ column: String?, _ condition: String, _ reason: String) {
        self.column = column
        self.condition = condition
        self.reason = reason
    }

    /// A `client_ref` that names no client of the tenant (`c`, the clients
    /// joined by ref in the check's FROM): the file's clients come first.
    static let knownClient = ImportCheck(
        "client_ref", "s.client_ref IS NOT NULL AND c.id IS NULL",
        "format('no client with ref \"%s\" (import the clients first)', s.client_ref)")

    /// A `currency` that is no ISO 4217 code (`cu`, the `currencies` joined by
    /// code in the check's FROM).
    static let knownCurrency = ImportCheck(
        "currency", "s.currency IS NOT NULL AND cu.code IS NULL",
        "format('unknown currency \"%s\": use an ISO 4217 code such as USD', s.currency)")

    /// The currencies with the factor from major to minor units, exact:
    /// `numeric ^ int` is numeric, never a float.
    static let currencies = "(SELECT code::text AS code, exponent::int AS exponent, 10::numeric ^ exponent AS factor FROM currencies)"

    /// An amount column against its currency `cu`: the decimals the currency
    /// allows (`12.345` USD is refused, never rounded) and the range of bigint
    /// minor units.
    static func amount(_ column: String, currency: String = "cu") -> [ImportCheck] {
        [
            ImportCheck(
                column, "s.\(column) IS NOT NULL AND scale(s.\(column)) > \(currency).exponent",
                "format('\"%s\" has more decimals than %s allows (%s)', s.\(column), \(currency).code, \(currency).exponent)"),
            ImportCheck(
                column,
                "s.\(column) IS NOT NULL AND scale(s.\(column)) <= \(currency).exponent AND s.\(column) * \(currency).factor > 9223372036854775807",
                "format('%s %s is out of range', s.\(column), \(currency).code)"),
        ]
    }

    /// The amount in minor units, for a row whose checks passed.
    static func minor(_ column: String, currency: String = "cu") -> String {
        "(s.\(column) * \(currency).factor)::bigint"
    }

    /// A key that must be unique in the file: every line that repeats it is bad.
    /// `duplicates` is the alias of `ImportCheck.duplicates(of:)` in the FROM.
    static func unique(_ column: String, _ what: String, duplicates: String = "d") -> ImportCheck {
        ImportCheck(
            column, "\(duplicates).n IS NOT NULL",
            """
            format('%s %s appears %s times in the file (%s)', '\(what)', s.\(column), \(duplicates).n,
                   CASE WHEN \(duplicates).n = 2 THEN 'lines ' || \(duplicates).first_line || ' and ' || \(duplicates).last_line
                        ELSE 'first on line ' || \(duplicates).first_line || ', last on line ' || \(duplicates).last_line END)
            """)
    }

    /// The values of `column` found on more than one line, with how many and where.
    static func duplicates(of column: String) -> String {
        """
        (SELECT \(column), count(*) AS n, min(line) AS first_line, max(line) AS last_line
         FROM import_stage WHERE \(column) IS NOT NULL GROUP BY \(column) HAVING count(*) > 1)
        """
    }
}
