import Foundation
import TFHE
import TorusEncrypted
import TorusServeClient

/// Evaluation keys in memory, least recently used first out when their total size would pass
/// the budget. Keys are read once per server, not per request; two requests for the same
/// missing key share one read. A key set's wide-lookup keys (`KEYS/server/wide.key`, for
/// circuits whose plan runs lookups wide) are cached beside its server key.
public actor KeyCache {
  private enum Cached: Sendable {
    case server(ServerKey)
    case wide(WideLookupKey)
  }

  private struct Entry {
    var key: Cached
    var bytes: Int
    var lastUse: UInt64
  }

  private let capacity: Int
  private var entries: [String: Entry] = [:]
  private var loading: [String: Task<Cached, any Error>] = [:]
  private var clock: UInt64 = 0
  private var hits = 0
  private var misses = 0

  public init(capacity: Int) { self.capacity = capacity }

  /// The keys of `keySet`, checked against `parameters` (the circuit's).
  public func key(for keySet: KeySetRecord, parameters: ParameterSet) async throws -> ServerKey {
    let path = keySet.path
    let cached = try await cached(keySet.id, bytes: keySet.bytes) {
      .server(try ServerKey(serialized: try FileIO.read(path), expecting: parameters))
    }
    guard case .server(let key) = cached else { preconditionFailure("a wide-lookup key cached as server keys") }
    return key
  }

  /// The wide-lookup keys of `keySet` (`wideKeyPath`), checked against `server`'s parameters and
  /// `wide` (the circuit's plan).
  public func wideKey(for keySet: KeySetRecord, server: ServerKey, wide: WideLookupParameters) async throws -> WideLookupKey {
    let path = Self.wideKeyPath(keySet)
    let bytes = WideLookupKey.serializedSize(parameters: server.parameters, wide: wide)
    let cached = try await cached(keySet.id + "/wide", bytes: bytes) {
      let key = try WideLookupKey(serialized: try FileIO.read(path), server: server)
      guard key.parameters == wide else {
        throw ServeError.unprocessable("parameter_mismatch", "the wide-lookup keys use other decompositions than this circuit's plan (\(key.parameters) against \(wide))")
      }
      return .wide(key)
    }
    guard case .wide(let key) = cached else { preconditionFailure("server keys cached as a wide-lookup key") }
    return key
  }

  /// Where a key set's wide-lookup keys are stored: beside its server keys.
  public static func wideKeyPath(_ keySet: KeySetRecord) -> String {
    (keySet.path.hasSuffix(".key") ? String(keySet.path.dropLast(4)) : keySet.path) + ".wide.key"
  }

  private func cached(_ id: String, bytes: Int, load: @escaping @Sendable () throws -> Cached) async throws -> Cached {
    clock += 1
    if var e = entries[id] {
      hits += 1
      e.lastUse = clock
      entries[id] = e
      return e.key
    }
    misses += 1
    if let pending = loading[id] { return try await pending.value }
    let task = Task { try await offloaded(load) }
    loading[id] = task
    defer { loading[id] = nil }
    let key = try await task.value
    insert(id, key: key, bytes: bytes)
    return key
  }

  private func insert(_ id: String, key: Cached, bytes: Int) {
    var total = entries.values.reduce(0) { $0 + $1.bytes }
    while total + bytes > capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
      total -= oldest.value.bytes
      entries[oldest.key] = nil
    }
    // A key larger than the whole budget is used once and not kept.
    if bytes <= capacity { entries[id] = Entry(key: key, bytes: bytes, lastUse: clock) }
  }

  /// Forgets a key set's wide-lookup keys only (before they are replaced).
  public func evictWide(_ id: String) { entries[id + "/wide"] = nil }

  /// Forgets a key set's keys (server and wide).
  public func evict(_ id: String) {
    entries[id] = nil
    entries[id + "/wide"] = nil
  }

  public var statistics: ServeAPI.KeyCacheStatistics {
    ServeAPI.KeyCacheStatistics(entries: entries.count, bytes: entries.values.reduce(0) { $0 + $1.bytes }, capacity: capacity, hits: hits, misses: misses)
  }
}
