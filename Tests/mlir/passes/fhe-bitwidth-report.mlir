// RUN: torus-opt %s --fhe-bitwidth-report 2>&1 | FileCheck %s

// Lookups are counted per input width from each op's declared bootstraps: rounding one per
// dropped bit, mul_eint two per element, matmul_eint_eint two per product.
// CHECK: // fhe-bitwidth-report
// CHECK-NEXT: FHELinalg.round ({{[0-9]+}}:{{[0-9]+}}): 3 bits
// CHECK-NEXT: FHELinalg.apply_lookup_table ({{.*}}): 4 bits
// CHECK-NEXT: FHELinalg.mul_eint ({{.*}}): 4 bits
// CHECK-NEXT: FHELinalg.matmul_eint_eint ({{.*}}): 4 bits
// CHECK-NEXT: table lookups per input width:
// CHECK-NEXT:   3 bits: 4
// CHECK-NEXT:   4 bits: 24
// CHECK-NEXT:   5 bits: 8
// CHECK-NEXT: total table lookups: 36
// CHECK-NEXT: maximum integer bit width: 5
func.func @main(%x: tensor<4x!FHE.eint<5>>, %y: tensor<2x2x!FHE.eint<4>>) -> tensor<2x2x!FHE.eint<4>> {
  %r = "FHELinalg.round"(%x) : (tensor<4x!FHE.eint<5>>) -> tensor<4x!FHE.eint<3>>
  %t = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7]> : tensor<8xi64>
  %l = "FHELinalg.apply_lookup_table"(%r, %t) : (tensor<4x!FHE.eint<3>>, tensor<8xi64>) -> tensor<4x!FHE.eint<4>>
  %m = "FHELinalg.mul_eint"(%y, %y) : (tensor<2x2x!FHE.eint<4>>, tensor<2x2x!FHE.eint<4>>) -> tensor<2x2x!FHE.eint<4>>
  %p = "FHELinalg.matmul_eint_eint"(%m, %m) : (tensor<2x2x!FHE.eint<4>>, tensor<2x2x!FHE.eint<4>>) -> tensor<2x2x!FHE.eint<4>>
  return %p : tensor<2x2x!FHE.eint<4>>
}
