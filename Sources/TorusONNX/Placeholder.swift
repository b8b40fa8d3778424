import SwiftProtobuf
public enum TorusONNXPlaceholder {}
