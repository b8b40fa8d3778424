import Testing
import TFHE
