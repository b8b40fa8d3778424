// RUN: torus-opt %s --fhe-annotate | FileCheck %s
// RUN: torus-opt %s --fhe-cost-report 2>&1 | FileCheck %s --check-prefix=LAYERS

// Each bootstrapping op carries its bootstraps, share of the run and estimated time; levelled
// ops are left as they are.
// CHECK: "FHELinalg.matmul_eint_int"(%arg0, %{{.*}}) : (
// CHECK: "FHELinalg.apply_lookup_table"(%{{.*}}, %{{.*}}) {fhe.bootstraps = 8 : i64, fhe.estimated_ms = {{[0-9.e+]+}} : f64, fhe.share = 1.000000e+00 : f64}
// The cost report adds a table per source layer (here the ops' locations).
// LAYERS: per layer:
// LAYERS-NEXT: layer
// LAYERS-NEXT: relu  8 (8@6b)
func.func @main(%x: tensor<1x16x!FHE.eint<6>>) -> tensor<1x8x!FHE.eint<4>> {
  %w = arith.constant dense<1> : tensor<16x8xi3>
  %acc = "FHELinalg.matmul_eint_int"(%x, %w) : (tensor<1x16x!FHE.eint<6>>, tensor<16x8xi3>) -> tensor<1x8x!FHE.eint<6>>
  %t = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<64xi64>
  %out = "FHELinalg.apply_lookup_table"(%acc, %t) : (tensor<1x8x!FHE.eint<6>>, tensor<64xi64>) -> tensor<1x8x!FHE.eint<4>> loc("relu")
  return %out : tensor<1x8x!FHE.eint<4>>
}
