// Two table lookups in a row on the same value: an activation then a requantization.
// `compose-lookup-tables` (Examples/CustomPass) fuses them into one lookup, one bootstrap.
func.func @main(%x: tensor<4x!FHE.eint<3>>) -> tensor<4x!FHE.eint<3>> {
  %relu = arith.constant dense<[0, 1, 2, 3, 0, 0, 0, 0]> : tensor<8xi64>
  %requant = arith.constant dense<[0, 2, 4, 6]> : tensor<4xi64>
  %1 = "FHELinalg.apply_lookup_table"(%x, %relu) : (tensor<4x!FHE.eint<3>>, tensor<8xi64>) -> tensor<4x!FHE.eint<2>>
  %2 = "FHELinalg.apply_lookup_table"(%1, %requant) : (tensor<4x!FHE.eint<2>>, tensor<4xi64>) -> tensor<4x!FHE.eint<3>>
  return %2 : tensor<4x!FHE.eint<3>>
}
