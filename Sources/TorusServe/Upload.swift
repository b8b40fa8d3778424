import Crypto
import Foundation
import Hummingbird
import NIOCore

/// Counts and hashes an upload while it streams to disk, and refuses it as soon as it passes
/// its limit or its first bytes show the wrong kind of file (`inspect` sees the first
/// `prefixLength` bytes once). Used sequentially by one request.
final class UploadMeter: @unchecked Sendable {
  let limit: Int
  let prefixLength: Int
  let inspect: ([UInt8]) throws -> Void
  private(set) var count = 0
  private var hasher = SHA256()
  private var prefix: [UInt8] = []
  private var inspected = false

  init(limit: Int, prefixLength: Int = 0, inspect: @escaping ([UInt8]) throws -> Void = { _ in }) {
    self.limit = limit
    self.prefixLength = prefixLength
    self.inspect = inspect
  }

  /// The meter's own refusal, if any: the file system wraps errors thrown by the stream it
  /// writes, so the handler answers with this one.
  private(set) var failure: (any Error)?

  func consume(_ buffer: ByteBuffer) throws {
    do { try check(buffer) } catch {
      failure = error
      throw error
    }
  }

  private func check(_ buffer: ByteBuffer) throws {
    count += buffer.readableBytes
    if count > limit { throw ServeError.tooLarge("the upload is larger than \(limit) bytes") }
    buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
    if !inspected {
      prefix += buffer.readableBytesView.prefix(prefixLength - prefix.count)
      if prefix.count >= prefixLength {
        inspected = true
        try inspect(prefix)
      }
    }
  }

  /// Called at the end: a file shorter than the prefix is inspected as it is.
  func finish() throws -> String {
    if !inspected {
      inspected = true
      try inspect(prefix)
    }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }
}

/// The request body, passed through an `UploadMeter`.
struct MeteredBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
  typealias Element = ByteBuffer
  let base: Base
  let meter: UploadMeter

  struct AsyncIterator: AsyncIteratorProtocol {
    var base: Base.AsyncIterator
    let meter: UploadMeter
    mutating func next() async throws -> ByteBuffer? {
      guard let buffer = try await base.next() else { return nil }
      try meter.consume(buffer)
      return buffer
    }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), meter: meter) }
}

/// SHA-256 of a token, hex: what the database keeps instead of the token.
func tokenHash(_ token: String) -> String {
  SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
}
