import Dispatch

/// Evaluation keys: what a server needs to bootstrap (no secret material).
///
/// Immutable and `Sendable`: share one instance between threads. Every call takes its own
/// scratch memory from a lock-protected pool (one scratch per call in flight), so concurrent
/// calls are safe.
public final class ServerKey: Sendable {
  public let parameters: ParameterSet
  public let bootstrapKey: FourierBootstrapKey
  public let keySwitchingKey: LweKeySwitchingKey
  /// Reused scratch memory (page faults on fresh large buffers cost as much as a small PBS).
  private let scratchPool = ScratchPool()

  public init(parameters: ParameterSet, bootstrapKey: FourierBootstrapKey, keySwitchingKey: LweKeySwitchingKey) {
    precondition(bootstrapKey.inputLweDimension == parameters.lweDimension
                   && bootstrapKey.polynomialSize == parameters.polynomialSize
                   && bootstrapKey.glweDimension == parameters.glweDimension,
                 "bootstrapping key does not match the parameters")
    precondition(keySwitchingKey.inputLweDimension == parameters.bigLweDimension
                   && keySwitchingKey.outputLweDimension == parameters.lweDimension,
                 "key-switching key does not match the parameters")
    self.parameters = parameters
    self.bootstrapKey = bootstrapKey
    self.keySwitchingKey = keySwitchingKey
    _ = FourierPlan.shared(for: parameters.polynomialSize.rawValue)
  }

  /// Key switch from the big key to the small key.
  public func keySwitch(_ c: LweCiphertext) -> LweCiphertext { keySwitchingKey.keySwitch(c) }

  /// Bootstrap of a ciphertext under the SMALL key (no key switch; `inputOffset` not applied).
  public func bootstrap(_ c: LweCiphertext, testPolynomial: TestPolynomial) -> LweCiphertext {
    let scratch = scratchPool.take { bootstrapKey.makeScratch() }
    defer { scratchPool.give(scratch) }
    return bootstrapKey.bootstrap(c, testPolynomial: testPolynomial, scratch: scratch)
  }

  /// The full table lookup on a ciphertext under the big key (Concrete's atomic pattern):
  /// add `testPolynomial.inputOffset`, key switch, bootstrap. The result is under the big key.
  public func programmableBootstrap(_ c: LweCiphertext, testPolynomial: TestPolynomial) -> LweCiphertext {
    let scratch = scratchPool.take { bootstrapKey.makeScratch() }
    defer { scratchPool.give(scratch) }
    return programmableBootstrap(c, testPolynomial: testPolynomial, scratch: scratch)
  }

  func programmableBootstrap(_ c: LweCiphertext, testPolynomial: TestPolynomial,
                             scratch: BootstrapScratch) -> LweCiphertext {
    let shifted = testPolynomial.inputOffset == 0 ? c : c.adding(plaintext: testPolynomial.inputOffset)
    return bootstrapKey.bootstrap(keySwitch(shifted), testPolynomial: testPolynomial, scratch: scratch)
  }

  /// Builds Concrete's test polynomial for this key's `N` (see `TestPolynomial.lookupTable`).
  public func lookupTable(values: [Int64], inputBits p: Int, outputBits q: Int, signed: Bool = false) -> TestPolynomial {
    TestPolynomial.lookupTable(values: values, inputBits: p, outputBits: q, signed: signed,
                               polynomialSize: parameters.polynomialSize)
  }

  /// Many independent table lookups (`programmableBootstrap`), spread over `threads` threads.
  /// `tables[tableIndex[i]]` is applied to `inputs[i]`; `tableIndex` defaults to all zeros.
  /// Results do not depend on the thread count.
  public func bootstrapBatch(_ inputs: [LweCiphertext], tables: [TestPolynomial], tableIndex: [Int]? = nil,
                             threads: Int = defaultThreadCount) -> [LweCiphertext] {
    precondition(!tables.isEmpty || inputs.isEmpty, "bootstrapBatch needs at least one table")
    if let t = tableIndex {
      precondition(t.count == inputs.count, "tableIndex has \(t.count) entries for \(inputs.count) inputs")
      precondition(t.allSatisfy { $0 >= 0 && $0 < tables.count }, "tableIndex entry out of range")
    }
    let count = inputs.count
    if count == 0 { return [] }
    let workers = max(1, min(threads, count))
    // Groups of up to `group` ciphertexts share each read of the keys (see keySwitchMany and
    // blindRotateMany); groups are handed out dynamically to the workers.
    let group = max(1, min(groupSize, (count + workers - 1) / workers))
    let groups = (count + group - 1) / group
    let slots = UnsafeMutableBufferPointer<LweCiphertext>.allocate(capacity: count)
    defer { slots.deallocate() }
    let out = SharedPointer(base: slots.baseAddress!)
    let next = WorkCounter()
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      let scratches = (0..<group).map { _ in scratchPool.take { bootstrapKey.makeScratch() } }
      defer { for s in scratches { scratchPool.give(s) } }
      while true {
        let g = next.take()
        if g >= groups { break }
        let range = (g * group)..<min(count, (g + 1) * group)
        let tvs = range.map { tables[tableIndex?[$0] ?? 0] }
        let shifted = range.indices.map { i in
          tvs[i - range.lowerBound].inputOffset == 0 ? inputs[i] : inputs[i].adding(plaintext: tvs[i - range.lowerBound].inputOffset)
        }
        let small = keySwitchingKey.keySwitchMany(shifted)
        bootstrapKey.blindRotateMany(small, testPolynomials: tvs, scratches: scratches)
        for (j, i) in range.enumerated() {
          (out.base + i).initialize(to: bootstrapKey.sampleExtract(scratches[j]))
        }
      }
    }
    let result = Array(slots)
    _ = slots.baseAddress!.deinitialize(count: count)
    return result
  }

  /// Ciphertexts per group in `bootstrapBatch` (key reads are shared within a group): 16 for
  /// N ≤ 1024 (the group's scratch and one GGSW then fit in L2), 8 above.
  public var groupSize: Int { parameters.polynomialSize.rawValue <= 1024 ? 16 : 8 }
}

import Foundation

/// Hands out indices 0, 1, 2, … to worker threads (dynamic load balancing).
final class WorkCounter: @unchecked Sendable {
  private var value = 0  // guarded by lock
  private let lock = NSLock()
  func take() -> Int {
    lock.lock(); defer { lock.unlock() }
    value += 1
    return value - 1
  }
}

/// A lock-protected stack of idle bootstrap scratches (each one is used by one thread at a time).
final class ScratchPool: @unchecked Sendable {
  private var idle: [BootstrapScratch] = []  // guarded by lock
  private let lock = NSLock()
  func take(_ make: () -> BootstrapScratch) -> BootstrapScratch {
    lock.lock()
    if let s = idle.popLast() { lock.unlock(); return s }
    lock.unlock()
    return make()
  }
  func give(_ s: BootstrapScratch) {
    lock.lock(); defer { lock.unlock() }
    if idle.count < 64 { idle.append(s) }
  }
}
