import Testing
import TorusFormats
@Test func placeholder() {}
