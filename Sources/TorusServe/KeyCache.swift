import Foundation
import TFHE
import TorusEncrypted
import TorusServeClient

/// Evaluation keys in memory, least recently used first out when their total size would pass
/// the budget. Keys are read once per server, not per request; two requests for the same
/// missing key share one read.
public actor KeyCache {
  private struct Entry {
    var key: ServerKey
    var bytes: Int
    var lastUse: UInt64
  }

  private let capacity: Int
  private var entries: [String: Entry] = [:]
  private var loading: [String: Task<ServerKey, any Error>] = [:]
  private var clock: UInt64 = 0
  private var hits = 0
  private var misses = 0

  public init(capacity: Int) { self.capacity = capacity }

  /// The keys of `keySet`, checked against `parameters` (the circuit's).
  public func key(for keySet: KeySetRecord, parameters: ParameterSet) async throws -> ServerKey {
    clock += 1
    if var e = entries[keySet.id] {
      hits += 1
      e.lastUse = clock
      entries[keySet.id] = e
      return e.key
    }
    misses += 1
    if let pending = loading[keySet.id] { return try await pending.value }
    let path = keySet.path
    let task = Task { try await offloaded { try ServerKey(serialized: try FileIO.read(path), expecting: parameters) } }
    loading[keySet.id] = task
    defer { loading[keySet.id] = nil }
    let key = try await task.value
    insert(keySet.id, key: key, bytes: keySet.bytes)
    return key
  }

  private func insert(_ id: String, key: ServerKey, bytes: Int) {
    var total = entries.values.reduce(0) { $0 + $1.bytes }
    while total + bytes > capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
      total -= oldest.value.bytes
      entries[oldest.key] = nil
    }
    // A key larger than the whole budget is used once and not kept.
    if bytes <= capacity { entries[id] = Entry(key: key, bytes: bytes, lastUse: clock) }
  }

  public func evict(_ id: String) { entries[id] = nil }

  public var statistics: ServeAPI.KeyCacheStatistics {
    ServeAPI.KeyCacheStatistics(entries: entries.count, bytes: entries.values.reduce(0) { $0 + $1.bytes }, capacity: capacity, hits: hits, misses: misses)
  }
}
