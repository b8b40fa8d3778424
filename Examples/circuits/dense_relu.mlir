// A dense layer followed by ReLU, as Concrete-ML emits it: a 16-input, 8-output integer matmul
// on 6-bit encrypted values, then a table lookup that applies ReLU and requantizes to 4 bits.
func.func @main(%x: tensor<1x16x!FHE.eint<6>>) -> tensor<1x8x!FHE.eint<4>> {
  %w = arith.constant dense<[[-1, -2, 0, 2, -3, -3, 3, 1], [-3, -1, 1, -3, 1, -2, -3, -3], [0, 0, -3, -2, -3, 1, 0, -3], [3, 1, -3, -2, 2, 2, 1, -3], [1, 1, 0, -3, -2, -3, 1, 3], [-2, -1, 0, -2, 1, -3, 1, -1], [1, 3, 2, -2, -3, 1, 1, 2], [-2, -1, -3, 1, 2, -3, 1, -3], [1, -2, 0, 2, 1, 0, 3, -1], [0, 1, 0, -1, -1, -2, 3, -2], [2, 3, -2, -3, 1, -1, 1, 0], [-1, 2, 0, -1, 1, -3, -3, 1], [0, -2, 3, -1, -2, 0, 0, -3], [2, -3, 3, 1, 1, 3, 3, -1], [-1, 2, -1, 1, 0, 1, 3, 0], [-3, 3, -3, -1, 0, 2, 2, -3]]> : tensor<16x8xi7>
  %acc = "FHELinalg.matmul_eint_int"(%x, %w) : (tensor<1x16x!FHE.eint<6>>, tensor<16x8xi7>) -> tensor<1x8x!FHE.eint<6>>
  %bias = arith.constant dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi7>
  %biased = "FHELinalg.add_eint_int"(%acc, %bias) : (tensor<1x8x!FHE.eint<6>>, tensor<8xi7>) -> tensor<1x8x!FHE.eint<6>>
  %relu = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<64xi64>
  %out = "FHELinalg.apply_lookup_table"(%biased, %relu) : (tensor<1x8x!FHE.eint<6>>, tensor<64xi64>) -> tensor<1x8x!FHE.eint<4>>
  return %out : tensor<1x8x!FHE.eint<4>>
}
