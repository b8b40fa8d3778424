// RUN: torus-opt %s --fhe-cost-report 2>&1 | FileCheck %s

// Two lookups per product of two encrypted vectors: 2 × 4 for dot_eint_eint, and the maxpool
// window's 4 max per output for 9 outputs.
// CHECK: // fhe-cost-report
// CHECK-NEXT: @dot: parameters: p={{[0-9]+}}
// CHECK-NEXT: lookups: 8 bootstraps per run (8 at 3 bits)
// CHECK: global error probability: {{.*}} (target 1e-05)
// CHECK: estimated run time:
// CHECK: @pool: parameters:
// CHECK-NEXT: lookups: 36 bootstraps per run (36 at 4 bits)
func.func @dot(%a: tensor<4x!FHE.eint<3>>, %b: tensor<4x!FHE.eint<3>>) -> !FHE.eint<3> {
  %r = "FHELinalg.dot_eint_eint"(%a, %b) : (tensor<4x!FHE.eint<3>>, tensor<4x!FHE.eint<3>>) -> !FHE.eint<3>
  return %r : !FHE.eint<3>
}
func.func @pool(%x: tensor<1x1x4x4x!FHE.esint<4>>) -> tensor<1x1x3x3x!FHE.esint<4>> {
  %r = "FHELinalg.maxpool2d"(%x) {kernel_shape = dense<[2, 2]> : tensor<2xi64>} : (tensor<1x1x4x4x!FHE.esint<4>>) -> tensor<1x1x3x3x!FHE.esint<4>>
  return %r : tensor<1x1x3x3x!FHE.esint<4>>
}
