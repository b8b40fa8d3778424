import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TFHE
import TorusEncrypted
import TorusServeClient

/// An error the API answers with: a status and a JSON body `{"error": {"code", "message"}}`.
/// Every failure a client can cause is one of these (a 4xx); anything else is a bug (500).
public struct ServeError: Error, HTTPResponseError, CustomStringConvertible {
  public var status: HTTPResponse.Status
  public var code: String
  public var message: String

  public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
    self.status = status
    self.code = code
    self.message = message
  }

  public var description: String { "\(status.code) \(code): \(message)" }

  public func response(from request: Request, context: some RequestContext) throws -> Response {
    let data = try JSONEncoder().encode(ServeAPI.ErrorBody(code: code, message: message))
    var headers = HTTPFields()
    headers[.contentType] = "application/json; charset=utf-8"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }

  static func notFound(_ what: String) -> ServeError { ServeError(.notFound, "not_found", what) }
  static func badRequest(_ message: String) -> ServeError { ServeError(.badRequest, "bad_request", message) }
  static func unauthorized(_ message: String) -> ServeError { ServeError(.unauthorized, "unauthorized", message) }
  static func conflict(_ message: String) -> ServeError { ServeError(.conflict, "conflict", message) }
  static func tooLarge(_ message: String) -> ServeError { ServeError(.contentTooLarge, "too_large", message) }
  static func unprocessable(_ code: String, _ message: String) -> ServeError { ServeError(.unprocessableContent, code, message) }

  /// Maps the library errors a request can provoke to client errors.
  static func from(_ error: any Error) -> any Error {
    switch error {
    case let e as ServeError: return e
    case let e as HTTPError: return e
    case let e as EncryptedModeError:
      switch e {
      case .keyMismatch: return ServeError.unprocessable("key_mismatch", e.description)
      case .corrupt: return ServeError.badRequest(e.description)
      case .invalidInput: return ServeError.unprocessable("invalid_input", e.description)
      case .io, .crypto: return error
      }
    case let e as TFHEFormatError: return ServeError.badRequest("not a valid file: \(e)")
    default: return error
    }
  }
}
