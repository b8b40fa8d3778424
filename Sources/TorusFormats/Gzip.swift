import CZlib
import Foundation

/// Reading gzip files (circuits are often shipped as `.mlir.gz`) through zlib.
public enum Gzip {
  /// Why a gzip stream could not be read.
  public struct Error: Swift.Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  /// Whether `data` starts with the gzip magic bytes.
  public static func isCompressed(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b }

  /// The decompressed bytes of a gzip stream (concatenated members are read one after another).
  public static func decompress(_ data: Data) throws(Gzip.Error) -> Data {
    var stream = z_stream()
    // 16 + MAX_WBITS: expect a gzip header and trailer (checked by zlib, CRC included).
    guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw Error(description: "zlib could not start inflating")
    }
    defer { inflateEnd(&stream) }
    var output = Data()
    let chunk = 1 << 18
    var buffer = [UInt8](repeating: 0, count: chunk)
    let input = [UInt8](data)
    var status: Int32 = Z_OK
    try input.withUnsafeBufferPointer { (inBuf) throws(Gzip.Error) in
      stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
      stream.avail_in = uInt(inBuf.count)
      while true {
        let produced: Int = buffer.withUnsafeMutableBufferPointer { out in
          stream.next_out = out.baseAddress
          stream.avail_out = uInt(chunk)
          status = inflate(&stream, Z_NO_FLUSH)
          return chunk - Int(stream.avail_out)
        }
        if status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && produced > 0) {
          let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
          throw Error(description: "corrupt gzip data at byte \(Int(stream.total_in)): \(message)")
        }
        output.append(contentsOf: buffer[0..<produced])
        if status == Z_STREAM_END {
          // Another member may follow (as `gzip -dc` reads them).
          guard stream.avail_in > 0 else { return }
          guard inflateReset(&stream) == Z_OK else { throw Error(description: "zlib could not restart after a gzip member") }
          continue
        }
        if stream.avail_in == 0 && produced == 0 {
          throw Error(description: "truncated gzip data: the stream ends after \(data.count) bytes without its trailer")
        }
      }
    }
    return output
  }

  /// Reads a text file, decompressing it when it is gzip.
  public static func readText(contentsOf url: URL) throws(Gzip.Error) -> String {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw Error(description: "cannot read '\(url.path)': \(error.localizedDescription)")
    }
    let bytes = isCompressed(data) ? try decompress(data) : data
    return String(decoding: bytes, as: UTF8.self)
  }
}
