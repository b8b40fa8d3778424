print("torus")
