// RUN: torus-opt %s --cse | FileCheck %s

// Identical constants and identical pure FHE ops are merged; unused ones stay (CSE is no DCE).
// CHECK-LABEL: func.func @main
// CHECK-NEXT: %[[C:.*]] = arith.constant 2 : i5
// CHECK-NEXT: %[[S:.*]] = "FHE.add_eint"(%arg0, %arg1)
// CHECK-NEXT: %[[T:.*]] = "FHE.add_eint_int"(%[[S]], %[[C]])
// CHECK-NOT: FHE.add_eint_int
// CHECK-NEXT: %[[U:.*]] = "FHE.add_eint"(%[[T]], %[[T]])
// CHECK-NEXT: "FHE.neg_eint"(%[[U]])
// CHECK-NEXT: return %[[U]]
func.func @main(%a: !FHE.eint<4>, %b: !FHE.eint<4>) -> !FHE.eint<4> {
  %c = arith.constant 2 : i5
  %c2 = arith.constant 2 : i5
  %0 = "FHE.add_eint"(%a, %b) : (!FHE.eint<4>, !FHE.eint<4>) -> !FHE.eint<4>
  %1 = "FHE.add_eint_int"(%0, %c) : (!FHE.eint<4>, i5) -> !FHE.eint<4>
  %2 = "FHE.add_eint_int"(%0, %c2) : (!FHE.eint<4>, i5) -> !FHE.eint<4>
  %3 = "FHE.add_eint"(%1, %2) : (!FHE.eint<4>, !FHE.eint<4>) -> !FHE.eint<4>
  %unused = "FHE.neg_eint"(%3) : (!FHE.eint<4>) -> !FHE.eint<4>
  return %3 : !FHE.eint<4>
}
