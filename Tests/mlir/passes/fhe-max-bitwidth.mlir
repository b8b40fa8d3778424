// RUN: torus-opt %s --split-input-file --verify-diagnostics --fhe-max-bitwidth=5

// A value decoded at a width above the limit names the op and the chain that led there.
func.func @too_wide(%x: tensor<1x16x!FHE.eint<6>>) -> tensor<1x8x!FHE.eint<6>> {
  %w = arith.constant dense<1> : tensor<16x8xi3>
  // expected-error @+2 {{'FHELinalg.matmul_eint_int' op produces a 6-bit encrypted integer, more than the limit of 5 bits}}
  // expected-note @+1 {{chain of ops that led there: function argument (6 bits) -> 'FHELinalg.matmul_eint_int'}}
  %acc = "FHELinalg.matmul_eint_int"(%x, %w) : (tensor<1x16x!FHE.eint<6>>, tensor<16x8xi3>) -> tensor<1x8x!FHE.eint<6>>
  return %acc : tensor<1x8x!FHE.eint<6>>
}

// -----

// A wide value only ever seen by phase ops and cast back is fine (approximate rounding).
func.func @phase_only(%x: !FHE.eint<4>) -> !FHE.eint<3> {
  %h = "FHE.reinterpret_precision"(%x) : (!FHE.eint<4>) -> !FHE.eint<62>
  %c = arith.constant 1 : i63
  %s = "FHE.add_eint_int"(%h, %c) : (!FHE.eint<62>, i63) -> !FHE.eint<62>
  %r = "FHE.reinterpret_precision"(%s) : (!FHE.eint<62>) -> !FHE.eint<3>
  return %r : !FHE.eint<3>
}
