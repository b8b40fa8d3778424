#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file reads and writes with POSIX calls in a loop: evaluation keys reach several GB, and a
/// single read(2)/write(2) moves at most about 2 GB, which Foundation's helpers do not always loop over.
public enum FileIO {
  public static func read(_ path: String) throws(EncryptedModeError) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw .io("cannot read '\(path)': \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw .io("cannot stat '\(path)'") }
    let size = Int(st.st_size)
    var failed: String?
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, initialized in
      var offset = 0
      while offset < size {
        let n = Glibc.read(fd, buf.baseAddress! + offset, min(size - offset, 1 << 30))
        if n < 0 {
          failed = String(cString: strerror(errno))
          break
        }
        if n == 0 { break }
        offset += n
      }
      initialized = offset
    }
    if let failed { throw .io("cannot read '\(path)': \(failed)") }
    return bytes
  }

  public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(EncryptedModeError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
    guard fd >= 0 else { throw .io("cannot write '\(path)': \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let failure: String? = bytes.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = Glibc.write(fd, raw.baseAddress! + offset, min(raw.count - offset, 1 << 30))
        if n <= 0 { return String(cString: strerror(errno)) }
        offset += n
      }
      return nil
    }
    if let failure { throw .io("cannot write '\(path)': \(failure)") }
  }
}
