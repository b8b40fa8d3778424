import Dispatch

/// Wraps a raw pointer so that disjoint ranges can be filled from several threads.
struct SharedPointer<T>: @unchecked Sendable {
  let base: UnsafeMutablePointer<T>
}

/// Work split for `concurrentPerform`: `chunks` contiguous ranges of `0..<count`.
func chunkRange(_ chunk: Int, of chunks: Int, count: Int) -> Range<Int> {
  let lo = count * chunk / chunks, hi = count * (chunk + 1) / chunks
  return lo..<hi
}

/// Number of worker threads to use by default (all cores).
public var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

import Foundation

extension FourierBootstrapKey {
  /// Generates the bootstrapping key: GGSW encryptions of each bit of `lweKey` under `glweKey`,
  /// with fresh noise of integer standard deviation `noiseStdDev`, converted to the Fourier domain.
  /// Runs on `threads` threads, each with a generator forked from `rng`.
  public init(lweKey: LweSecretKey, glweKey: GlweSecretKey, baseLog: DecompositionBaseLog,
              levelCount: DecompositionLevelCount, noiseStdDev: Double,
              using rng: inout SecureRandom, threads: Int = defaultThreadCount) {
    let n = lweKey.dimension.rawValue, k = glweKey.glweDimension.rawValue
    let N = glweKey.polynomialSize.rawValue, k1 = k + 1, ell = levelCount.rawValue
    let plan = FourierPlan.shared(for: N)
    let keyF = glweKey.fourierPolynomials(plan: plan)
    let stride = k1 * ell * k1 * N
    let chunks = max(1, min(threads, n))
    let forks = (0..<chunks).map { _ in rng.fork() }
    let bits = lweKey.bits
    let b = baseLog.rawValue
    let data = AlignedDoubles(count: n * stride) { buffer in
      adviseHugePages(UnsafeMutableRawPointer(buffer.baseAddress!), bytes: n * stride * 8)
      let out = SharedPointer(base: buffer.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        var r = forks[chunk]
        var tmp = [UInt64](repeating: 0, count: k1 * N)
        var scratch = [Double](repeating: 0, count: N)
        var limb = [UInt64](repeating: 0, count: N)
        let rowMajor = UnsafeMutablePointer<Double>.allocate(capacity: stride)
        defer { rowMajor.deallocate() }
        keyF.withUnsafeBufferPointer { kf in
          tmp.withUnsafeMutableBufferPointer { t in
            scratch.withUnsafeMutableBufferPointer { sc in
              limb.withUnsafeMutableBufferPointer { l in
                for i in chunkRange(chunk, of: chunks, count: n) {
                  for c in 0..<k1 {
                    for level in 1...ell {
                      glweKey.encryptZero(into: t.baseAddress!, keyFourier: kf.baseAddress!,
                                          noiseStdDev: noiseStdDev, plan: plan, using: &r,
                                          scratch: sc.baseAddress!, limb: l.baseAddress!)
                      t[c * N] &+= bits[i] << UInt64(64 - b * level)
                      let row = c * ell + (level - 1)
                      for col in 0..<k1 {
                        plan.forward(signed: t.baseAddress! + col * N, into: rowMajor + (row * k1 + col) * N)
                      }
                    }
                  }
                  FourierGgswLayout.interleave(rowMajor, into: out.base + i * stride, rows: k1 * ell, columns: k1, n: N)
                }
              }
            }
          }
        }
      }
    }
    self.init(inputLweDimension: lweKey.dimension, glweDimension: glweKey.glweDimension,
              polynomialSize: glweKey.polynomialSize, baseLog: baseLog, levelCount: levelCount, data: data)
  }
}

extension LweKeySwitchingKey {
  /// Generates the key-switching key from `inputKey` to `outputKey` with fresh noise of integer
  /// standard deviation `noiseStdDev` under the output key.
  public init(from inputKey: LweSecretKey, to outputKey: LweSecretKey, baseLog: DecompositionBaseLog,
              levelCount: DecompositionLevelCount, noiseStdDev: Double,
              using rng: inout SecureRandom, threads: Int = defaultThreadCount) {
    let nIn = inputKey.dimension.rawValue, nOut = outputKey.dimension.rawValue
    let ell = levelCount.rawValue, b = baseLog.rawValue
    let row = nOut + 1
    let chunks = max(1, min(threads, nIn))
    let forks = (0..<chunks).map { _ in rng.fork() }
    let inBits = inputKey.bits
    let data = [UInt64](unsafeUninitializedCapacity: nIn * ell * row) { buffer, initialized in
      adviseHugePages(UnsafeMutableRawPointer(buffer.baseAddress!), bytes: nIn * ell * row * 8)
      let out = SharedPointer(base: buffer.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        var r = forks[chunk]
        let range = chunkRange(chunk, of: chunks, count: nIn)
        let start = out.base + range.lowerBound * ell * row
        r.fill(UnsafeMutableBufferPointer(start: start, count: range.count * ell * row))
        for i in range {
          for level in 1...ell {
            let ct = out.base + (i * ell + level - 1) * row
            ct[nOut] = outputKey.encryptBody(mask: ct, phase: inBits[i] << UInt64(64 - b * level),
                                             noise: r.nextGaussian(stdDev: noiseStdDev))
          }
        }
      }
      initialized = nIn * ell * row
    }
    self.init(inputLweDimension: inputKey.dimension, outputLweDimension: outputKey.dimension,
              baseLog: baseLog, levelCount: levelCount, data: data)
  }
}

#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back a large, not yet touched buffer with transparent huge pages (fewer TLB
/// misses when streaming keys). Only the 2 MiB-aligned interior is advised; errors are ignored.
func adviseHugePages(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
  #if os(Linux)
  let huge = 2 << 20
  let start = (Int(bitPattern: pointer) + huge - 1) & ~(huge - 1)
  let end = (Int(bitPattern: pointer) + bytes) & ~(huge - 1)
  if end > start, let p = UnsafeMutableRawPointer(bitPattern: start) {
    _ = madvise(p, end - start, 14 /* MADV_HUGEPAGE */)
  }
  #endif
}
