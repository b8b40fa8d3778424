// One function per instance of every FHE, FHELinalg and Tracing op. OpConsistencyTests runs each
// through the interpreter (counting bootstraps), the noise analysis and the bit-width report,
// and checks that every registered op appears here. A new op adds its example here.

func.func @fhe_zero() -> !FHE.eint<4> {
  %z = "FHE.zero"() : () -> !FHE.eint<4>
  return %z : !FHE.eint<4>
}
func.func @fhe_zero_tensor() -> tensor<2x3x!FHE.eint<4>> {
  %z = "FHE.zero_tensor"() : () -> tensor<2x3x!FHE.eint<4>>
  return %z : tensor<2x3x!FHE.eint<4>>
}
func.func @fhe_add_eint_int(%a: !FHE.eint<4>, %c: i5) -> !FHE.eint<4> {
  %r = "FHE.add_eint_int"(%a, %c) : (!FHE.eint<4>, i5) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_add_eint(%a: !FHE.eint<4>, %b: !FHE.eint<4>) -> !FHE.eint<4> {
  %r = "FHE.add_eint"(%a, %b) : (!FHE.eint<4>, !FHE.eint<4>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_sub_int_eint(%c: i5, %a: !FHE.eint<4>) -> !FHE.eint<4> {
  %r = "FHE.sub_int_eint"(%c, %a) : (i5, !FHE.eint<4>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_sub_eint_int(%a: !FHE.eint<4>, %c: i5) -> !FHE.eint<4> {
  %r = "FHE.sub_eint_int"(%a, %c) : (!FHE.eint<4>, i5) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_sub_eint(%a: !FHE.eint<4>, %b: !FHE.eint<4>) -> !FHE.eint<4> {
  %r = "FHE.sub_eint"(%a, %b) : (!FHE.eint<4>, !FHE.eint<4>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_neg_eint(%a: !FHE.eint<4>) -> !FHE.eint<4> {
  %r = "FHE.neg_eint"(%a) : (!FHE.eint<4>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_mul_eint_int(%a: !FHE.eint<4>, %c: i5) -> !FHE.eint<4> {
  %r = "FHE.mul_eint_int"(%a, %c) : (!FHE.eint<4>, i5) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_mul_eint(%a: !FHE.eint<4>, %b: !FHE.eint<4>) -> !FHE.eint<4> {
  %r = "FHE.mul_eint"(%a, %b) : (!FHE.eint<4>, !FHE.eint<4>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_max_eint(%a: !FHE.esint<4>, %b: !FHE.esint<4>) -> !FHE.esint<4> {
  %r = "FHE.max_eint"(%a, %b) : (!FHE.esint<4>, !FHE.esint<4>) -> !FHE.esint<4>
  return %r : !FHE.esint<4>
}
func.func @fhe_to_signed(%a: !FHE.eint<4>) -> !FHE.esint<4> {
  %r = "FHE.to_signed"(%a) : (!FHE.eint<4>) -> !FHE.esint<4>
  return %r : !FHE.esint<4>
}
func.func @fhe_to_unsigned(%a: !FHE.esint<4>) -> !FHE.eint<4> {
  %r = "FHE.to_unsigned"(%a) : (!FHE.esint<4>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_apply_lookup_table(%a: !FHE.eint<2>, %lut: tensor<4xi64>) -> !FHE.eint<3> {
  %r = "FHE.apply_lookup_table"(%a, %lut) : (!FHE.eint<2>, tensor<4xi64>) -> !FHE.eint<3>
  return %r : !FHE.eint<3>
}
func.func @fhe_round(%a: !FHE.eint<5>) -> !FHE.eint<3> {
  %r = "FHE.round"(%a) : (!FHE.eint<5>) -> !FHE.eint<3>
  return %r : !FHE.eint<3>
}
func.func @fhe_lsb(%a: !FHE.esint<8>) -> !FHE.eint<16> {
  %r = "FHE.lsb"(%a) : (!FHE.esint<8>) -> !FHE.eint<16>
  return %r : !FHE.eint<16>
}
func.func @fhe_reinterpret_precision(%a: !FHE.eint<8>) -> !FHE.eint<4> {
  %r = "FHE.reinterpret_precision"(%a) : (!FHE.eint<8>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_change_partition(%a: !FHE.eint<4>) -> !FHE.eint<4> {
  %r = "FHE.change_partition"(%a) : (!FHE.eint<4>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @fhe_gen_gate(%l: !FHE.ebool, %r: !FHE.ebool, %tt: tensor<4xi64>) -> !FHE.ebool {
  %0 = "FHE.gen_gate"(%l, %r, %tt) : (!FHE.ebool, !FHE.ebool, tensor<4xi64>) -> !FHE.ebool
  return %0 : !FHE.ebool
}
func.func @fhe_mux(%cond: !FHE.ebool, %c1: !FHE.ebool, %c2: !FHE.ebool) -> !FHE.ebool {
  %r = "FHE.mux"(%cond, %c1, %c2) : (!FHE.ebool, !FHE.ebool, !FHE.ebool) -> !FHE.ebool
  return %r : !FHE.ebool
}
func.func @fhe_and(%a: !FHE.ebool, %b: !FHE.ebool) -> !FHE.ebool {
  %r = "FHE.and"(%a, %b) : (!FHE.ebool, !FHE.ebool) -> !FHE.ebool
  return %r : !FHE.ebool
}
func.func @fhe_or(%a: !FHE.ebool, %b: !FHE.ebool) -> !FHE.ebool {
  %r = "FHE.or"(%a, %b) : (!FHE.ebool, !FHE.ebool) -> !FHE.ebool
  return %r : !FHE.ebool
}
func.func @fhe_nand(%a: !FHE.ebool, %b: !FHE.ebool) -> !FHE.ebool {
  %r = "FHE.nand"(%a, %b) : (!FHE.ebool, !FHE.ebool) -> !FHE.ebool
  return %r : !FHE.ebool
}
func.func @fhe_xor(%a: !FHE.ebool, %b: !FHE.ebool) -> !FHE.ebool {
  %r = "FHE.xor"(%a, %b) : (!FHE.ebool, !FHE.ebool) -> !FHE.ebool
  return %r : !FHE.ebool
}
func.func @fhe_not(%a: !FHE.ebool) -> !FHE.ebool {
  %r = "FHE.not"(%a) : (!FHE.ebool) -> !FHE.ebool
  return %r : !FHE.ebool
}
func.func @fhe_to_bool(%a: !FHE.eint<2>) -> !FHE.ebool {
  %r = "FHE.to_bool"(%a) : (!FHE.eint<2>) -> !FHE.ebool
  return %r : !FHE.ebool
}
func.func @fhe_from_bool(%a: !FHE.ebool) -> !FHE.eint<2> {
  %r = "FHE.from_bool"(%a) : (!FHE.ebool) -> !FHE.eint<2>
  return %r : !FHE.eint<2>
}
func.func @linalg_add_eint_int(%a: tensor<4x!FHE.eint<4>>, %c: tensor<4xi5>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.add_eint_int"(%a, %c) : (tensor<4x!FHE.eint<4>>, tensor<4xi5>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_add_eint(%a: tensor<4x!FHE.eint<4>>, %b: tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.add_eint"(%a, %b) : (tensor<4x!FHE.eint<4>>, tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_sub_int_eint(%c: tensor<4xi5>, %a: tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.sub_int_eint"(%c, %a) : (tensor<4xi5>, tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_sub_eint_int(%a: tensor<4x!FHE.eint<4>>, %c: tensor<4xi5>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.sub_eint_int"(%a, %c) : (tensor<4x!FHE.eint<4>>, tensor<4xi5>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_sub_eint(%a: tensor<4x!FHE.eint<4>>, %b: tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.sub_eint"(%a, %b) : (tensor<4x!FHE.eint<4>>, tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_mul_eint_int(%a: tensor<4x!FHE.eint<4>>, %c: tensor<4xi5>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.mul_eint_int"(%a, %c) : (tensor<4x!FHE.eint<4>>, tensor<4xi5>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_mul_eint(%a: tensor<2x4x!FHE.eint<4>>, %b: tensor<4x!FHE.eint<4>>) -> tensor<2x4x!FHE.eint<4>> {
  %r = "FHELinalg.mul_eint"(%a, %b) : (tensor<2x4x!FHE.eint<4>>, tensor<4x!FHE.eint<4>>) -> tensor<2x4x!FHE.eint<4>>
  return %r : tensor<2x4x!FHE.eint<4>>
}
func.func @linalg_neg_eint(%a: tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.neg_eint"(%a) : (tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_apply_lookup_table(%t: tensor<4x!FHE.eint<2>>, %lut: tensor<4xi64>) -> tensor<4x!FHE.eint<3>> {
  %r = "FHELinalg.apply_lookup_table"(%t, %lut) : (tensor<4x!FHE.eint<2>>, tensor<4xi64>) -> tensor<4x!FHE.eint<3>>
  return %r : tensor<4x!FHE.eint<3>>
}
func.func @linalg_apply_multi_lookup_table(%t: tensor<3x3x!FHE.eint<2>>, %luts: tensor<3x4xi64>) -> tensor<3x3x!FHE.eint<2>> {
  %r = "FHELinalg.apply_multi_lookup_table"(%t, %luts) : (tensor<3x3x!FHE.eint<2>>, tensor<3x4xi64>) -> tensor<3x3x!FHE.eint<2>>
  return %r : tensor<3x3x!FHE.eint<2>>
}
func.func @linalg_apply_mapped_lookup_table(%t: tensor<2x!FHE.eint<2>>, %luts: tensor<3x4xi64>) -> tensor<2x!FHE.eint<2>> {
  %map = arith.constant dense<[0, 2]> : tensor<2xindex>
  %r = "FHELinalg.apply_mapped_lookup_table"(%t, %luts, %map) : (tensor<2x!FHE.eint<2>>, tensor<3x4xi64>, tensor<2xindex>) -> tensor<2x!FHE.eint<2>>
  return %r : tensor<2x!FHE.eint<2>>
}
func.func @linalg_dot_eint_int(%a: tensor<4x!FHE.eint<4>>, %c: tensor<4xi5>) -> !FHE.eint<4> {
  %r = "FHELinalg.dot_eint_int"(%a, %c) : (tensor<4x!FHE.eint<4>>, tensor<4xi5>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @linalg_dot_eint_eint(%a: tensor<4x!FHE.eint<4>>, %b: tensor<4x!FHE.eint<4>>) -> !FHE.eint<4> {
  %r = "FHELinalg.dot_eint_eint"(%a, %b) : (tensor<4x!FHE.eint<4>>, tensor<4x!FHE.eint<4>>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}
func.func @linalg_matmul_eint_int(%a: tensor<3x4x!FHE.eint<4>>, %c: tensor<4x2xi5>) -> tensor<3x2x!FHE.eint<4>> {
  %r = "FHELinalg.matmul_eint_int"(%a, %c) : (tensor<3x4x!FHE.eint<4>>, tensor<4x2xi5>) -> tensor<3x2x!FHE.eint<4>>
  return %r : tensor<3x2x!FHE.eint<4>>
}
func.func @linalg_matmul_int_eint(%c: tensor<3x4xi5>, %a: tensor<4x2x!FHE.eint<4>>) -> tensor<3x2x!FHE.eint<4>> {
  %r = "FHELinalg.matmul_int_eint"(%c, %a) : (tensor<3x4xi5>, tensor<4x2x!FHE.eint<4>>) -> tensor<3x2x!FHE.eint<4>>
  return %r : tensor<3x2x!FHE.eint<4>>
}
func.func @linalg_matmul_eint_eint(%a: tensor<3x4x!FHE.eint<6>>, %b: tensor<4x2x!FHE.eint<6>>) -> tensor<3x2x!FHE.eint<12>> {
  %r = "FHELinalg.matmul_eint_eint"(%a, %b) : (tensor<3x4x!FHE.eint<6>>, tensor<4x2x!FHE.eint<6>>) -> tensor<3x2x!FHE.eint<12>>
  return %r : tensor<3x2x!FHE.eint<12>>
}
func.func @linalg_matmul_eint_eint_vector(%a: tensor<3x!FHE.eint<5>>, %b: tensor<2x3x4x!FHE.eint<5>>) -> tensor<2x4x!FHE.eint<5>> {
  %r = "FHELinalg.matmul_eint_eint"(%a, %b) : (tensor<3x!FHE.eint<5>>, tensor<2x3x4x!FHE.eint<5>>) -> tensor<2x4x!FHE.eint<5>>
  return %r : tensor<2x4x!FHE.eint<5>>
}
func.func @linalg_sum(%t: tensor<3x4x!FHE.eint<7>>) -> tensor<3x1x!FHE.eint<7>> {
  %r = "FHELinalg.sum"(%t) {axes = [1], keep_dims = true} : (tensor<3x4x!FHE.eint<7>>) -> tensor<3x1x!FHE.eint<7>>
  return %r : tensor<3x1x!FHE.eint<7>>
}
func.func @linalg_concat(%a: tensor<3x!FHE.eint<7>>, %b: tensor<4x!FHE.eint<7>>) -> tensor<7x!FHE.eint<7>> {
  %r = "FHELinalg.concat"(%a, %b) {axis = 0} : (tensor<3x!FHE.eint<7>>, tensor<4x!FHE.eint<7>>) -> tensor<7x!FHE.eint<7>>
  return %r : tensor<7x!FHE.eint<7>>
}
func.func @linalg_transpose(%t: tensor<2x3x4x!FHE.eint<6>>) -> tensor<3x2x4x!FHE.eint<6>> {
  %r = "FHELinalg.transpose"(%t) {axes = [1, 0, 2]} : (tensor<2x3x4x!FHE.eint<6>>) -> tensor<3x2x4x!FHE.eint<6>>
  return %r : tensor<3x2x4x!FHE.eint<6>>
}
func.func @linalg_from_element(%x: !FHE.eint<4>) -> tensor<1x!FHE.eint<4>> {
  %r = "FHELinalg.from_element"(%x) : (!FHE.eint<4>) -> tensor<1x!FHE.eint<4>>
  return %r : tensor<1x!FHE.eint<4>>
}
func.func @linalg_broadcast(%t: tensor<3x!FHE.eint<4>>) -> tensor<2x3x!FHE.eint<4>> {
  %r = "FHELinalg.broadcast"(%t) : (tensor<3x!FHE.eint<4>>) -> tensor<2x3x!FHE.eint<4>>
  return %r : tensor<2x3x!FHE.eint<4>>
}
func.func @linalg_fancy_index(%t: tensor<5x!FHE.eint<4>>) -> tensor<3x!FHE.eint<4>> {
  %idx = arith.constant dense<[4, 0, 2]> : tensor<3xindex>
  %r = "FHELinalg.fancy_index"(%t, %idx) : (tensor<5x!FHE.eint<4>>, tensor<3xindex>) -> tensor<3x!FHE.eint<4>>
  return %r : tensor<3x!FHE.eint<4>>
}
func.func @linalg_fancy_assign(%t: tensor<5x!FHE.eint<4>>, %v: tensor<3x!FHE.eint<4>>) -> tensor<5x!FHE.eint<4>> {
  %idx = arith.constant dense<[4, 0, 2]> : tensor<3xindex>
  %r = "FHELinalg.fancy_assign"(%t, %idx, %v) : (tensor<5x!FHE.eint<4>>, tensor<3xindex>, tensor<3x!FHE.eint<4>>) -> tensor<5x!FHE.eint<4>>
  return %r : tensor<5x!FHE.eint<4>>
}
func.func @linalg_to_signed(%t: tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.esint<4>> {
  %r = "FHELinalg.to_signed"(%t) : (tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.esint<4>>
  return %r : tensor<4x!FHE.esint<4>>
}
func.func @linalg_to_unsigned(%t: tensor<4x!FHE.esint<4>>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.to_unsigned"(%t) : (tensor<4x!FHE.esint<4>>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_round(%t: tensor<4x!FHE.eint<6>>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.round"(%t) : (tensor<4x!FHE.eint<6>>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_lsb(%t: tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.lsb"(%t) : (tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_reinterpret_precision(%t: tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<2>> {
  %r = "FHELinalg.reinterpret_precision"(%t) : (tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<2>>
  return %r : tensor<4x!FHE.eint<2>>
}
func.func @linalg_change_partition(%t: tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>> {
  %r = "FHELinalg.change_partition"(%t) : (tensor<4x!FHE.eint<4>>) -> tensor<4x!FHE.eint<4>>
  return %r : tensor<4x!FHE.eint<4>>
}
func.func @linalg_conv2d(%x: tensor<1x3x4x4x!FHE.eint<6>>, %w: tensor<2x3x2x2xi7>, %b: tensor<2xi7>) -> tensor<1x2x3x3x!FHE.eint<6>> {
  %r = "FHELinalg.conv2d"(%x, %w, %b) {strides = dense<1> : tensor<2xi64>} : (tensor<1x3x4x4x!FHE.eint<6>>, tensor<2x3x2x2xi7>, tensor<2xi7>) -> tensor<1x2x3x3x!FHE.eint<6>>
  return %r : tensor<1x2x3x3x!FHE.eint<6>>
}
func.func @linalg_maxpool2d(%x: tensor<1x1x4x4x!FHE.esint<6>>) -> tensor<1x1x3x3x!FHE.esint<6>> {
  %r = "FHELinalg.maxpool2d"(%x) {kernel_shape = dense<[2, 2]> : tensor<2xi64>} : (tensor<1x1x4x4x!FHE.esint<6>>) -> tensor<1x1x3x3x!FHE.esint<6>>
  return %r : tensor<1x1x3x3x!FHE.esint<6>>
}
func.func @tracing(%a: !FHE.eint<4>, %c: i8) {
  "Tracing.trace_ciphertext"(%a) {msg = "x", nmsb = 4 : i32} : (!FHE.eint<4>) -> ()
  "Tracing.trace_plaintext"(%c) {msg = "c"} : (i8) -> ()
  "Tracing.trace_message"() {msg = "hello"} : () -> ()
  return
}
