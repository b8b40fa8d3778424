print("torus-bench: no benchmarks yet")
