print("torus: not yet")
