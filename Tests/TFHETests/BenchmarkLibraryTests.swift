import TFHE
import TFHEBenchmarks
import Testing

/// The measurements behind torus-bench run as a library: real keys and bootstraps, results
/// checked (timings are only required to exist, never bounded).
@Suite struct BenchmarkLibraryTests {
  @Test func pbsMeasurementDecryptsEveryLookup() {
    let r = TFHEBenchmarks.pbs(precision: 1, count: 3, threadCounts: [1, 2])
    #expect(r.batches.map(\.count) == [3, 3])
    #expect(r.batches.allSatisfy { $0.errors == 0 && $0.millisecondsPerPBS > 0 })
    #expect(r.batches[0].cpuMillisecondsPerPBS != nil && r.batches[1].cpuMillisecondsPerPBS == nil)
    #expect(r.bootstrapKeyBytes > 0 && r.keySwitchingKeyBytes > 0)
  }

  @Test func fftMeasurementRuns() {
    #expect(TFHEBenchmarks.fft(size: 512, seconds: 0.01) > 0)
  }
}
