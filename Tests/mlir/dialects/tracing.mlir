// RUN: torus-opt %s --split-input-file --verify-diagnostics | FileCheck %s
// RUN: not torus-opt %s --split-input-file --fhe-max-bitwidth=2

// Tracing ops keep the generic form; plaintext tracing takes a clear integer only.
// CHECK: "Tracing.trace_ciphertext"(%arg0) {msg = "x", nmsb = 4 : i32} : (!FHE.eint<4>) -> ()
// CHECK-NEXT: "Tracing.trace_message"() {msg = "hello"} : () -> ()
func.func @main(%a: !FHE.eint<4>) {
  "Tracing.trace_ciphertext"(%a) {msg = "x", nmsb = 4 : i32} : (!FHE.eint<4>) -> ()
  "Tracing.trace_message"() {msg = "hello"} : () -> ()
  return
}

// -----

func.func @plaintext_of_ciphertext(%a: !FHE.eint<4>) {
  // expected-error @+1 {{'Tracing.trace_plaintext' op operand #0 must be integer, but got '!FHE.eint<4>'}}
  "Tracing.trace_plaintext"(%a) {msg = "c"} : (!FHE.eint<4>) -> ()
  return
}
