// RUN: torus-opt %s --split-input-file --verify-diagnostics

// Verifier rules of the FHE dialect, with Concrete's messages.

func.func @add_widths(%a: !FHE.eint<4>, %b: !FHE.eint<5>) -> !FHE.eint<4> {
  // expected-error @+1 {{'FHE.add_eint' op should have the width of encrypted inputs equal}}
  %r = "FHE.add_eint"(%a, %b) : (!FHE.eint<4>, !FHE.eint<5>) -> !FHE.eint<4>
  return %r : !FHE.eint<4>
}

// -----

func.func @lut_size(%a: !FHE.eint<2>, %t: tensor<8xi64>) -> !FHE.eint<3> {
  // expected-error @+1 {{inner dimension should have size 4(=2^2) to match `ct` (operand #1) elements bitwidth (2)}}
  %r = "FHE.apply_lookup_table"(%a, %t) : (!FHE.eint<2>, tensor<8xi64>) -> !FHE.eint<3>
  return %r : !FHE.eint<3>
}

// -----

func.func @round_up(%a: !FHE.eint<3>) -> !FHE.eint<5> {
  // expected-error @+1 {{'FHE.round' op should have the input width larger than the output width.}}
  %r = "FHE.round"(%a) : (!FHE.eint<3>) -> !FHE.eint<5>
  return %r : !FHE.eint<5>
}

// -----

func.func @to_bool(%a: !FHE.eint<3>) -> !FHE.ebool {
  // expected-error @+1 {{should have 1 or 2 as the width of encrypted input to cast to a boolean}}
  %r = "FHE.to_bool"(%a) : (!FHE.eint<3>) -> !FHE.ebool
  return %r : !FHE.ebool
}

// -----

// expected-error @+1 {{FHE.eint doesn't support precision of 0}}
func.func @zero_width(%a: !FHE.eint<0>) -> !FHE.eint<0> {
  return %a : !FHE.eint<0>
}
