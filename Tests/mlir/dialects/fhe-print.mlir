// RUN: torus-opt %s | FileCheck %s
// RUN: torus-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// FHE ops have the generic form only; types print as written; attributes keep their order.
// CHECK-LABEL: func.func @main(%arg0: tensor<1x3x4x4x!FHE.eint<6>>, %arg1: !FHE.ebool, %arg2: !FHE.ebool) -> (tensor<1x2x3x3x!FHE.eint<6>>, !FHE.ebool)
// CHECK-NEXT: %[[W:.*]] = arith.constant dense<1> : tensor<2x3x2x2xi3>
// CHECK-NEXT: %[[C:.*]] = "FHELinalg.conv2d"(%arg0, %[[W]]) {dilations = dense<1> : tensor<2xi64>, group = 1 : i64} : (tensor<1x3x4x4x!FHE.eint<6>>, tensor<2x3x2x2xi3>) -> tensor<1x2x3x3x!FHE.eint<6>>
// CHECK-NEXT: %[[G:.*]] = "FHE.and"(%arg1, %arg2) : (!FHE.ebool, !FHE.ebool) -> !FHE.ebool
// CHECK-NEXT: return %[[C]], %[[G]]
// GENERIC: "func.func"() <{function_type = (tensor<1x3x4x4x!FHE.eint<6>>, !FHE.ebool, !FHE.ebool) -> (tensor<1x2x3x3x!FHE.eint<6>>, !FHE.ebool), sym_name = "main"}>
// GENERIC: "FHE.and"(%arg1, %arg2)
// GENERIC: "func.return"
func.func @main(%x: tensor<1x3x4x4x!FHE.eint<6>>, %a: !FHE.ebool, %b: !FHE.ebool) -> (tensor<1x2x3x3x!FHE.eint<6>>, !FHE.ebool) {
  %w = arith.constant dense<1> : tensor<2x3x2x2xi3>
  %c = "FHELinalg.conv2d"(%x, %w) {dilations = dense<1> : tensor<2xi64>, group = 1 : i64} : (tensor<1x3x4x4x!FHE.eint<6>>, tensor<2x3x2x2xi3>) -> tensor<1x2x3x3x!FHE.eint<6>>
  %g = "FHE.and"(%a, %b) : (!FHE.ebool, !FHE.ebool) -> !FHE.ebool
  return %c, %g : tensor<1x2x3x3x!FHE.eint<6>>, !FHE.ebool
}
