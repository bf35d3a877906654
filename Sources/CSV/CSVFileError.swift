/// A file that could not be opened or read, in words (the OS's reason included).
public struct CSVFileError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
