// RUN: torus-opt %s --symbol-dce | FileCheck %s

// Private functions nobody calls are removed; public ones stay.
// CHECK-NOT: @helper
// CHECK: func.func @main
// CHECK-NOT: @helper
module {
  func.func private @helper(%x: !FHE.eint<4>) -> !FHE.eint<4> {
    return %x : !FHE.eint<4>
  }
  func.func @main(%x: !FHE.eint<4>) -> !FHE.eint<4> {
    return %x : !FHE.eint<4>
  }
}
