/// An immutable (after construction) buffer of doubles aligned to 64 bytes, so that vector loads
/// never straddle cache lines. Used for Fourier keys, FFT tables and scratch.
public final class AlignedDoubles: @unchecked Sendable, Equatable {
  // Written only during construction (by the initialiser or by `init(count:fill:)`'s closure).
  @usableFromInline let pointer: UnsafeMutablePointer<Double>
  public let count: Int

  /// `count` doubles filled by `fill`, which receives the uninitialised buffer.
  public init(count: Int, fill: (UnsafeMutableBufferPointer<Double>) -> Void) {
    self.count = count
    pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 8, alignment: 64)
      .bindMemory(to: Double.self, capacity: max(count, 1))
    fill(UnsafeMutableBufferPointer(start: pointer, count: count))
  }

  public convenience init(_ values: [Double]) {
    self.init(count: values.count) { buffer in
      values.withUnsafeBufferPointer { buffer.baseAddress!.update(from: $0.baseAddress!, count: values.count) }
    }
  }

  deinit { pointer.deallocate() }

  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
    try body(UnsafeBufferPointer(start: pointer, count: count))
  }

  /// A copy as an array.
  public var array: [Double] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

  public static func == (a: AlignedDoubles, b: AlignedDoubles) -> Bool {
    a.count == b.count && memcmp(a.pointer, b.pointer, a.count * 8) == 0
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
