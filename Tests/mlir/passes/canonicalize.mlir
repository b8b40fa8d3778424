// RUN: torus-opt %s --canonicalize | FileCheck %s

// Unused pure FHE ops are removed, even bootstrapping ones; used ones stay in order.
// CHECK-LABEL: func.func @main
// CHECK: "FHELinalg.apply_lookup_table"(%arg0, %{{.*}})
// CHECK-NOT: FHELinalg.neg_eint
// CHECK-NOT: "FHELinalg.apply_lookup_table"
// CHECK: return
func.func @main(%x: tensor<4x!FHE.eint<3>>) -> tensor<4x!FHE.eint<3>> {
  %t = arith.constant dense<[0, 1, 2, 3, 0, 0, 0, 0]> : tensor<8xi64>
  %1 = "FHELinalg.apply_lookup_table"(%x, %t) : (tensor<4x!FHE.eint<3>>, tensor<8xi64>) -> tensor<4x!FHE.eint<3>>
  %dead = "FHELinalg.neg_eint"(%1) : (tensor<4x!FHE.eint<3>>) -> tensor<4x!FHE.eint<3>>
  %dead2 = "FHELinalg.apply_lookup_table"(%dead, %t) : (tensor<4x!FHE.eint<3>>, tensor<8xi64>) -> tensor<4x!FHE.eint<3>>
  return %1 : tensor<4x!FHE.eint<3>>
}
