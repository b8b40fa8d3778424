// RUN: torus-opt %s --split-input-file --verify-diagnostics

// Verifier rules of the FHELinalg dialect: shapes of contractions, tables, pooling, reductions.

func.func @matmul_inner(%a: tensor<3x4x!FHE.eint<4>>, %c: tensor<5x2xi5>) -> tensor<3x2x!FHE.eint<4>> {
  // expected-error @+1 {{should have the same size on dimension #1 of operand #0 and dimension #0 of operand #1}}
  %r = "FHELinalg.matmul_eint_int"(%a, %c) : (tensor<3x4x!FHE.eint<4>>, tensor<5x2xi5>) -> tensor<3x2x!FHE.eint<4>>
  return %r : tensor<3x2x!FHE.eint<4>>
}

// -----

func.func @lut_size(%t: tensor<4x!FHE.eint<2>>, %lut: tensor<8xi64>) -> tensor<4x!FHE.eint<3>> {
  // expected-error @+1 {{expect tensor <4xi{8,16,32,64}>}}
  %r = "FHELinalg.apply_lookup_table"(%t, %lut) : (tensor<4x!FHE.eint<2>>, tensor<8xi64>) -> tensor<4x!FHE.eint<3>>
  return %r : tensor<4x!FHE.eint<3>>
}

// -----

func.func @maxpool_shape(%x: tensor<1x1x4x4x!FHE.eint<6>>) -> tensor<1x1x2x2x!FHE.eint<6>> {
  // expected-error @+1 {{expected output to be of shape (1, 1, 3, 3) but it is of shape (1, 1, 2, 2)}}
  %r = "FHELinalg.maxpool2d"(%x) {kernel_shape = dense<[2, 2]> : tensor<2xi64>} : (tensor<1x1x4x4x!FHE.eint<6>>) -> tensor<1x1x2x2x!FHE.eint<6>>
  return %r : tensor<1x1x2x2x!FHE.eint<6>>
}

// -----

func.func @sum_keep_dims(%t: tensor<3x4x!FHE.eint<7>>) -> tensor<3x!FHE.eint<7>> {
  // expected-error @+1 {{'FHELinalg.sum' op does not have the proper output shape of <3x1>}}
  %r = "FHELinalg.sum"(%t) {axes = [1], keep_dims = true} : (tensor<3x4x!FHE.eint<7>>) -> tensor<3x!FHE.eint<7>>
  return %r : tensor<3x!FHE.eint<7>>
}
