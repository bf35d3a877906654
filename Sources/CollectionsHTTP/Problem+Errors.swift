import CollectionsImport
import CollectionsService
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime
import Postgres

extension Problem {
    /// The problem any error thrown while answering becomes.
    ///
    /// Database errors (`PostgresError`) and anything unforeseen become a bare
    /// 500 (or 503 for a timeout or a lost connection): their text may hold SQL,
    /// a constraint name or row values, so it goes to the log only, never out.
    init(error: any Error) {
        switch error {
        case let problem as Problem:
            self = problem
        case let error as ServerError:
            self = Problem(serverError: error)
        case let error as ServiceError:
            self = Problem(serviceError: error)
        case let error as ImportError:
            self = Problem(
                .unprocessableContent, "import-refused", detail: error.message,
                errors: error.problems.map { Item(line: $0.line, column: $0.column, reason: $0.reason) })
        case is NIOTooManyBytesError:
            self = Problem(.contentTooLarge, "too-large", detail: "the request body is larger than this endpoint accepts")
        case let error as DecodingError:
            self = Problem(decodingError: error)
        case let error as HTTPError:
            self = Problem(error.status, "http-\(error.status.code)", detail: Self.words(for: error.status))
        case let error as PostgresError where [.queryCanceled, .connectionLost, .connectionFailed, .poolTimeout].contains(error.kind):
            self = Problem(.serviceUnavailable, "unavailable", detail: "the request could not be completed in time; try again", retryAfter: 1)
        case let error as PostgresError where [.serializationFailure, .deadlock, .lockNotAvailable].contains(error.kind):
            self = Problem(.conflict, "busy", detail: "the request met a concurrent change; try again")
        case let error as PostgresError where error.kind == .insufficientPrivilege:
            // An agency's key asking for what its role was not granted (reports,
            // imports, webhooks, dunning, a lender's write): the database refused.
            self = Problem(.forbidden, "forbidden", detail: "this API key may not do that")
        case is CancellationError:
            self = Problem(.serviceUnavailable, "unavailable", detail: "the request was cancelled; try again", retryAfter: 1)
        default:
            self = Problem(.internalServerError, "internal", detail: "the request failed; nothing is known to have changed")
        }
    }

    init(serviceError error: ServiceError) {
        switch error.kind {
        case .notFound: self = Problem(.notFound, "not-found", detail: error.message)
        case .conflict: self = Problem(.conflict, "conflict", detail: error.message)
        case .invalid: self = Problem(.unprocessableContent, "invalid", detail: error.message, errors: [Item(reason: error.message)])
        case .refused: self = Problem(.unprocessableContent, "refused", detail: error.message, errors: [Item(reason: error.message)])
        case .suspended: self = .suspended
        }
    }

    /// The generated layer's errors: its own (a body that is not JSON, the wrong
    /// content type, a missing parameter) carry their status; a handler's are
    /// the handler's error, mapped as above.
    init(serverError error: ServerError) {
        let underlying = error.underlyingError
        if underlying is Problem || underlying is ServiceError || underlying is ImportError || underlying is PostgresError
            || underlying is NIOTooManyBytesError || underlying is CancellationError || underlying is DecodingError {
            self = Problem(error: underlying)
            return
        }
        let status = error.httpStatus
        guard status.kind == .clientError else {
            self = Problem(error: underlying)
            return
        }
        let detail = ControlCharacters.escaped(String(error.causeDescription.prefix(500)))
        switch status {
        case .unsupportedMediaType:
            self = Problem(status, "unsupported-media-type", detail: "the request's content type is not one this endpoint takes: \(detail)")
        default:
            self = Problem(status, "bad-request", detail: "the request is malformed: \(detail)", errors: [Item(reason: detail)])
        }
    }

    init(decodingError error: DecodingError) {
        func path(_ context: DecodingError.Context) -> String? {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? nil : path
        }
        let item: Item
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            item = Item(field: path(context), reason: context.debugDescription)
        case .keyNotFound(let key, let context):
            item = Item(field: path(context).map { "\($0).\(key.stringValue)" } ?? key.stringValue, reason: "is required")
        @unknown default:
            item = Item(reason: "the body could not be read")
        }
        self = Problem(.badRequest, "bad-request", detail: "the request body is malformed: \(item.field.map { "\($0): " } ?? "")\(item.reason)", errors: [item])
    }

    static func words(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "no such resource"
        case .methodNotAllowed: "this resource does not take that method"
        case .contentTooLarge: "the request body is larger than this endpoint accepts"
        default: status.reasonPhrase
        }
    }
}
