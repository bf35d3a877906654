/// A PostgreSQL type, by its OID. Only the built-in types the layer binds and
/// decodes have names here; any other OID still round-trips as text.
public struct PostgresType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Lets the server infer the type from context, as it does for a quoted literal.
    public static let unspecified = PostgresType(rawValue: 0)
    public static let bool = PostgresType(rawValue: 16)
    public static let bytea = PostgresType(rawValue: 17)
    public static let name = PostgresType(rawValue: 19)
    public static let int8 = PostgresType(rawValue: 20)
    public static let int2 = PostgresType(rawValue: 21)
    public static let int4 = PostgresType(rawValue: 23)
    public static let text = PostgresType(rawValue: 25)
    public static let oid = PostgresType(rawValue: 26)
    public static let json = PostgresType(rawValue: 114)
    public static let float4 = PostgresType(rawValue: 700)
    public static let float8 = PostgresType(rawValue: 701)
    public static let unknown = PostgresType(rawValue: 705)
    public static let bpchar = PostgresType(rawValue: 1042)
    public static let varchar = PostgresType(rawValue: 1043)
    public static let date = PostgresType(rawValue: 1082)
    public static let time = PostgresType(rawValue: 1083)
    public static let timestamp = PostgresType(rawValue: 1114)
    public static let timestamptz = PostgresType(rawValue: 1184)
    public static let interval = PostgresType(rawValue: 1186)
    public static let numeric = PostgresType(rawValue: 1700)
    public static let uuid = PostgresType(rawValue: 2950)
    public static let jsonb = PostgresType(rawValue: 3802)
    public static let boolArray = PostgresType(rawValue: 1000)
    public static let int2Array = PostgresType(rawValue: 1005)
    public static let int4Array = PostgresType(rawValue: 1007)
    public static let textArray = PostgresType(rawValue: 1009)
    public static let int8Array = PostgresType(rawValue: 1016)
    public static let float8Array = PostgresType(rawValue: 1022)
    public static let dateArray = PostgresType(rawValue: 1182)
    public static let timestamptzArray = PostgresType(rawValue: 1185)
    public static let uuidArray = PostgresType(rawValue: 2951)
    public static let byteaArray = PostgresType(rawValue: 1001)
    public static let jsonbArray = PostgresType(rawValue: 3807)
    public static let numericArray = PostgresType(rawValue: 1231)
    public static let varcharArray = PostgresType(rawValue: 1015)
    public static let bpcharArray = PostgresType(rawValue: 1014)

    private static let names: [UInt32: String] = [
        0: "unspecified", 16: "boolean", 17: "bytea", 19: "name", 20: "bigint", 21: "smallint",
        23: "integer", 25: "text", 26: "oid", 114: "json", 700: "real", 701: "double precision",
        705: "unknown", 1042: "character", 1043: "character varying", 1082: "date",
        1083: "time", 1114: "timestamp", 1184: "timestamptz", 1186: "interval",
        1700: "numeric", 2950: "uuid", 3802: "jsonb", 1000: "boolean[]", 1005: "smallint[]",
        1007: "integer[]", 1009: "text[]", 1016: "bigint[]", 1022: "double precision[]",
        1182: "date[]", 1185: "timestamptz[]", 2951: "uuid[]", 1001: "bytea[]", 3807: "jsonb[]",
        1231: "numeric[]", 1015: "character varying[]", 1014: "character[]",
    ]

    /// The array type whose elements are of this type, for the types that have one here.
    var arrayType: PostgresType {
        switch self {
        case .bool: return .boolArray
        case .int2: return .int2Array
        case .int4: return .int4Array
        case .int8: return .int8Array
        case .float8: return .float8Array
        case .date: return .dateArray
        case .timestamptz: return .timestamptzArray
        case .uuid: return .uuidArray
        case .bytea: return .byteaArray
        case .jsonb: return .jsonbArray
        case .numeric: return .numericArray
        default: return .textArray
        }
    }

    var isArray: Bool { Self.arrayTypes.contains(self) }
    private static let arrayTypes: Set<PostgresType> = [
        .boolArray, .int2Array, .int4Array, .int8Array, .textArray, .float8Array, .dateArray,
        .timestamptzArray, .uuidArray, .byteaArray, .jsonbArray, .numericArray, .varcharArray, .bpcharArray,
    ]

    public var description: String { Self.names[rawValue] ?? "type oid \(rawValue)" }
}
