// RUN: torus-opt %s --allow-unregistered-dialect | FileCheck %s

// Forms mlir-opt accepts that Concrete's generated text and other tools write, printed as
// mlir-opt-19 prints them.

// Blanks between the tokens of a shaped type.
// CHECK-LABEL: func.func @spaced_shapes(%arg0: tensor<3x!FHE.eint<8>>, %arg1: tensor<2x4xi8>) -> tensor<3x!FHE.eint<8>>
func.func @spaced_shapes(%a: tensor<3 x !FHE.eint<8>>, %b: tensor<2 x 4 x i8>) -> tensor<3 x !FHE.eint<8>> {
  return %a : tensor<3 x !FHE.eint<8>>
}

// The opaque forms of dialect types and attributes: a quoted body, kept verbatim.
// CHECK-LABEL: func.func @opaque(%arg0: !foo<"bar baz">) -> !foo<"bar baz"> attributes {x = #foo<"a \"b\" c">}
func.func @opaque(%a: !foo<"bar baz">) -> !foo<"bar baz"> attributes {x = #foo<"a \"b\" c">} {
  return %a : !foo<"bar baz">
}

// A use of the first result of a multi-result op is written `#0`.
// CHECK-LABEL: func.func @multi
// CHECK-NEXT: %0:2 = "test.op"(%arg0) : (i32) -> (i32, i32)
// CHECK-NEXT: %1 = "test.use"(%0#0, %0#1) : (i32, i32) -> i32
// CHECK-NEXT: return %0#0, %1 : i32, i32
func.func @multi(%a: i32) -> (i32, i32) {
  %0:2 = "test.op"(%a) : (i32) -> (i32, i32)
  %1 = "test.use"(%0#0, %0#1) : (i32, i32) -> i32
  return %0#0, %1 : i32, i32
}
