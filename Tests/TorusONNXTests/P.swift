import Testing
import TorusONNX
@Test func placeholder() {}
