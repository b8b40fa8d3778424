/// TFHE: the torus fully homomorphic encryption scheme over 64-bit integers.
public enum TFHE {}
