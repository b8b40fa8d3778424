import Foundation
import Logging
import ServiceLifecycle
import TFHE
import TorusEncrypted

/// The worker pool: `workers` loops claim queued jobs from the store and evaluate them off the
/// event loop (each evaluation spreads its bootstraps over `threads`). A running job renews its
/// lease with every progress write; a job whose lease runs out — its server was killed — is
/// queued again by whichever server notices, or failed after `maxAttempts` starts.
public final class JobRunner: Service, Sendable {
  public struct Options: Sendable {
    public var workers = 1
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Seconds without a heartbeat after which a running job counts as abandoned.
    public var lease = 30.0
    public var heartbeat = 1.0
    public var maxAttempts = 3
    /// How often an idle worker looks for work.
    public var poll = 0.05
    public init() {}
  }

  public let workerID: String
  private let store: any ServeStore
  private let circuits: CircuitRegistry
  private let keys: KeyCache
  private let resultsDirectory: String
  private let options: Options
  private let logger: Logger

  public init(
    store: any ServeStore, circuits: CircuitRegistry, keys: KeyCache, resultsDirectory: String, options: Options, logger: Logger
  ) {
    self.store = store
    self.circuits = circuits
    self.keys = keys
    self.resultsDirectory = resultsDirectory
    self.options = options
    self.logger = logger
    workerID = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(randomHex(bytes: 4))"
  }

  public func run() async throws {
    // Stop taking jobs on shutdown; a job in flight is abandoned and its lease runs out.
    await cancelWhenGracefulShutdown {
      await withTaskGroup(of: Void.self) { group in
        group.addTask { await self.recoveryLoop() }
        for n in 0..<max(1, self.options.workers) { group.addTask { await self.workerLoop(n) } }
        await group.waitForAll()
      }
    }
  }

  /// Requeues (or fails) jobs abandoned by a stopped server: once at start, then every lease/3.
  private func recoveryLoop() async {
    while !Task.isCancelled {
      do {
        let t = now()
        let (requeued, failed) = try await store.recoverStaleJobs(staleBefore: t - options.lease, maxAttempts: options.maxAttempts, now: t)
        for id in requeued { logger.warning("job \(id) was abandoned by its server (lease expired): queued again") }
        for id in failed { logger.error("job \(id) was abandoned \(options.maxAttempts) times: failed") }
      } catch {
        logger.error("recovering abandoned jobs failed: \(error)")
      }
      try? await Task.sleep(for: .seconds(max(0.2, options.lease / 3)))
    }
  }

  private func workerLoop(_ n: Int) async {
    while !Task.isCancelled {
      let job: JobRecord?
      do { job = try await store.claimJob(worker: workerID, now: now()) } catch {
        logger.error("worker \(n): claiming a job failed: \(error)")
        try? await Task.sleep(for: .seconds(1))
        continue
      }
      guard let job else {
        try? await Task.sleep(for: .seconds(options.poll))
        continue
      }
      await execute(job)
    }
  }

  private func execute(_ job: JobRecord) async {
    let started = Date()
    logger.info("job \(job.id): started (attempt \(job.attempts), circuit \(job.circuitID))")
    do {
      guard let entry = try await circuits.entry(id: job.circuitID) else {
        throw ServeError.notFound("circuit \(job.circuitID) is no longer registered")
      }
      guard let keySet = try await store.keySet(id: job.keySetID) else {
        throw ServeError.notFound("key set \(job.keySetID) was deleted before the job ran")
      }
      let key = try await keys.key(for: keySet, parameters: entry.parameters)
      var loadedWide: WideLookupKey?
      if let parameters = entry.wide { loadedWide = try await keys.wideKey(for: keySet, server: key, wide: parameters) }
      let wide = loadedWide
      let inputPath = job.inputPath
      let batch = try await offloaded {
        try EncryptedBatch(serialized: try FileIO.read(inputPath), path: inputPath, parameters: key.parameters)
      }
      let identity = entry.identity(parameters: key.parameters)
      let residues = entry.residues
      let progress = BootstrapProgress(total: entry.record.bootstraps * batch.samples.count)
      let heartbeat = Task { [store, workerID, options, logger] in
        while !Task.isCancelled {
          try? await Task.sleep(for: .seconds(options.heartbeat))
          if Task.isCancelled { break }
          do {
            let mine = try await store.heartbeat(
              job: job.id, worker: workerID, done: progress.completed, total: progress.total, now: now())
            if !mine { logger.warning("job \(job.id): lease lost (another server took it over)") }
          } catch {
            logger.error("job \(job.id): progress write failed: \(error)")
          }
        }
      }
      defer { heartbeat.cancel() }
      let threads = options.threads
      let circuit = entry.circuit.circuit
      let result = try await offloaded {
        try EncryptedServer(key: key, circuit: circuit, identity: identity, wide: wide, crt: residues).run(batch, threads: threads, progress: progress)
      }
      let bytes = result.serialized(parameters: key.parameters)
      let output = resultsDirectory + "/\(job.id).ct"
      try await offloaded {
        let staging = output + ".part-\(randomHex(bytes: 4))"
        try FileIO.write(bytes, to: staging)
        if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
        try FileManager.default.moveItem(atPath: staging, toPath: output)
      }
      try await store.finishJob(job.id, worker: workerID, outputPath: output, now: now())
      logger.info(
        "job \(job.id): done in \(String(format: "%.2f", Date().timeIntervalSince(started))) s (\(progress.completed) PBS, \(batch.samples.count) samples)")
    } catch {
      let reason = (ServeError.from(error) as? ServeError)?.message ?? "\(error)"
      logger.error("job \(job.id): failed: \(reason)")
      do { try await store.failJob(job.id, worker: workerID, reason: reason, now: now()) } catch {
        logger.error("job \(job.id): recording the failure failed: \(error)")
      }
    }
  }
}
