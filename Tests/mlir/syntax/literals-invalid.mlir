// RUN: torus-opt %s --allow-unregistered-dialect --split-input-file --verify-diagnostics

// Literals mlir-opt-19 rejects, at the position it reports.

// A decimal integer is not a float element.
// expected-error @+1 {{expected floating-point elements, but parsed integer}}
"x.y"() {a = dense<[1.5, 2]> : tensor<2xf32>} : () -> ()

// -----

// expected-error @+1 {{expected floating-point elements, but parsed integer}}
"x.y"() {a = dense<1> : tensor<2xf16>} : () -> ()

// -----

// Hex data must fill the type exactly (one element for a splat); the error points at the type.
// expected-error @+1 {{elements hex data size is invalid for provided type: 'tensor<3xi8>'}}
"x.y"() {a = dense<"0x0102"> : tensor<3xi8>} : () -> ()

// -----

// expected-error @+1 {{expected string containing hex digits starting with `0x`}}
"x.y"() {a = dense<"0xZZ"> : tensor<1xi8>} : () -> ()

// -----

// expected-error @+1 {{expected i1 type for 'true' or 'false' values}}
"x.y"() {a = dense<true> : tensor<2xi32>} : () -> ()

// -----

// expected-error @+1 {{integer constant out of range for attribute}}
"x.y"() {a = 256 : i8} : () -> ()
